"""MNIST classifier: placeholder until the classifier page lands."""

import streamlit as st

st.title("MNIST classifier")
st.info(
    "Coming: train a recurrent classifier that reads each handwritten digit row by row, with "
    "live accuracy while it trains, a confusion matrix and a gallery of its mistakes."
)
