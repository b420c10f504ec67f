"""LSTM Studio entrypoint: page config, the training worker pool started warm, navigation."""

import threading

import streamlit as st

st.set_page_config(page_title="LSTM Studio", layout="wide")


@st.cache_resource(show_spinner=False)
def _warm_pool() -> threading.Thread:
    """Once per server, in the background: import the core (torch takes seconds) and start the
    worker pool, whose fork server preloads torch and keeps a warm worker, so that neither the
    first visit to a training page nor its first Train waits for them."""

    def start() -> None:
        from ui.jobs import pool

        pool()

    thread = threading.Thread(target=start, name="lstm-studio-warm-pool", daemon=True)
    thread.start()
    return thread


_warm_pool()
page = st.navigation(
    [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("pages/stock_forecast.py", title="Forecast", icon=":material/show_chart:"),
        st.Page("pages/mnist_classifier.py", title="MNIST classifier", icon=":material/draw:"),
        st.Page("pages/compare_models.py", title="Compare models", icon=":material/compare_arrows:"),
    ]
)
page.run()
