"""Stock forecast: placeholder until the forecasting page lands."""

import streamlit as st

st.title("Stock forecast")
st.info(
    "Coming: pick a price series (bundled sample, Yahoo Finance or an uploaded CSV), train an "
    "RNN, LSTM or GRU on it with live loss curves, and compare its test-set forecast with the "
    'naive "tomorrow = today" baseline in real prices.'
)
