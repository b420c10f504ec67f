"""Home: what each tool in LSTM Studio does, with a link to it."""

import streamlit as st

from ui.navigation import ensure_app_navigation

ensure_app_navigation()

st.title("LSTM Studio")
st.write(
    "Train recurrent networks (RNN, LSTM, GRU) on CPU in your browser, watch them learn, "
    "and see honestly what they add over a simple baseline."
)

st.subheader("Forecast")
st.write(
    "Forecast a price history or any regularly spaced series (bundled prices and series with "
    "seasons, Yahoo Finance or your own CSV) with a recurrent model that starts from the best "
    "linear forecast, live loss curves while it trains, and its error beside the naive, seasonal, "
    "drift and linear baselines, with an interval on the verdict."
)
st.page_link("pages/stock_forecast.py", label="Open Forecast", icon=":material/show_chart:")

st.subheader("MNIST classifier")
st.write(
    "Classify handwritten digits by reading each 28x28 image row by row as a sequence of 28 "
    "steps; see accuracy, a confusion matrix and the digits it gets wrong."
)
st.page_link("pages/mnist_classifier.py", label="Open MNIST classifier", icon=":material/draw:")

st.subheader("Compare models")
st.write(
    "Train RNN, LSTM, GRU, BiLSTM and a hand-written RNN on the same data side by side, see which remembers "
    "across a distance T, and look inside the LSTM's gates and cell state."
)
st.page_link("pages/compare_models.py", label="Open Compare models", icon=":material/compare_arrows:")
