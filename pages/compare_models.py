"""Compare models: placeholder until the comparison page lands."""

import streamlit as st

st.title("Compare models")
st.info(
    "Coming: RNN vs LSTM vs GRU vs BiLSTM vs a hand-written RNN on the same data, side by side, "
    "and a look inside the LSTM's gates and cell state."
)
