"""Compare models: placeholder until the comparison page lands."""

import streamlit as st

from ui.navigation import ensure_app_navigation

ensure_app_navigation()

st.title("Compare models")
st.info(
    "Coming: RNN vs LSTM vs GRU vs BiLSTM vs a hand-written RNN on the same data, side by side, "
    "and a look inside the LSTM's gates and cell state."
)
