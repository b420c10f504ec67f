"""LSTM Studio entrypoint: page config and navigation, nothing else."""

import streamlit as st

st.set_page_config(page_title="LSTM Studio", layout="wide")

page = st.navigation(
    [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("pages/stock_forecast.py", title="Stock forecast", icon=":material/show_chart:"),
        st.Page("pages/mnist_classifier.py", title="MNIST classifier", icon=":material/draw:"),
        st.Page("pages/compare_models.py", title="Compare models", icon=":material/compare_arrows:"),
    ]
)
page.run()
