"""The shared model-and-training form: keys, defaults, errors at the widget in the label's words."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lstm_core.config import BOUNDS, ModelConfig, TrainConfig
from ui.model_form import GENERAL, field_errors


def _page() -> None:
    import streamlit as st

    from lstm_core.config import ModelConfig, TrainConfig
    from ui.model_form import ModelForm

    form = ModelForm("t", train_fields=("lr", "batch_size", "epochs", "patience", "seed"))
    for key, value in form.widget_values(ModelConfig(), TrainConfig(patience=5)).items():
        st.session_state.setdefault(key, value)
    form.draw_model()
    form.draw_training()
    configs = form.configs()
    st.session_state["configs"] = configs


def _app() -> AppTest:
    at = AppTest.from_function(_page, default_timeout=30)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_widgets_are_keyed_by_prefix_and_field_with_the_configs_defaults():
    at = _app()
    assert at.number_input(key="t.hidden_size").value == ModelConfig().hidden_size
    assert at.selectbox(key="t.cell").value == ModelConfig().cell
    assert at.number_input(key="t.patience").value == 5
    model, train = at.session_state["configs"]
    assert model == ModelConfig() and train == TrainConfig(patience=5)
    assert not at.error


def test_an_out_of_range_entry_is_explained_at_once_in_the_labels_words():
    at = _app()
    at.number_input(key="t.hidden_size").set_value(0)
    at.run()  # the entry's own rerun: no Train press needed
    errors = [e.value for e in at.error]
    assert errors == ["Hidden size: enter a whole number from 1 to 4,096; got 0."]
    assert at.session_state["configs"] is None
    assert "hidden_size" not in errors[0]


def test_patience_zero_means_off_and_is_accepted():
    at = _app()
    at.number_input(key="t.patience").set_value(0)
    at.run()
    assert not at.error
    assert at.session_state["configs"][1].patience is None
    assert "0 = off" in at.number_input(key="t.patience").help


def test_a_rule_between_fields_is_shown_at_the_field_the_config_names():
    at = _app()
    at.number_input(key="t.num_layers").set_value(1)
    at.number_input(key="t.dropout").set_value(0.2)
    at.number_input(key="t.lr").set_value(0.0)
    at.run()
    errors = [e.value for e in at.error]
    assert len(errors) == 2
    assert errors[0].startswith("Dropout only acts between stacked layers: with Layers=1")
    assert errors[1] == "Learning rate: enter a number above 0, at most 10; got 0."


def test_the_forget_gate_bias_is_visible_for_an_lstm_with_a_line_on_why():
    at = _app()
    assert at.number_input(key="t.forget_bias").value == ModelConfig().forget_bias
    assert any("forget gate open" in c.value for c in at.caption)
    at.selectbox(key="t.cell").set_value("GRU")
    at.run()
    assert at.number_input(key="t.forget_bias").disabled


def test_field_errors_names_every_wrong_field_and_puts_unlabelled_ones_aside():
    config, errors = field_errors(TrainConfig, {"epochs": 0, "batch_size": 0, "lr": 1e-3},
                                  {"epochs": "Epochs", "batch_size": "Batch size"})
    assert config is None and set(errors) == {"epochs", "batch_size"}
    config, errors = field_errors(TrainConfig, {"grad_clip": -1.0}, {})
    assert config is None and set(errors) == {GENERAL}
    config, errors = field_errors(TrainConfig, {"epochs": 3}, {"epochs": "Epochs"})
    assert config == TrainConfig(epochs=3) and errors == {}


@pytest.mark.parametrize("name", sorted(BOUNDS))
def test_the_forms_bounds_match_what_the_configs_accept(name: str):
    from lstm_core.config import ForecastDataConfig

    owner = next(c for c in (ModelConfig, TrainConfig, ForecastDataConfig) if name in c.__dataclass_fields__)
    bound = BOUNDS[name]
    base = {"num_layers": 2} if name == "dropout" else {}
    if name in ("val_fraction", "test_fraction"):
        base = {"val_fraction": 0.0, "test_fraction": 0.2}
    edges = [v for v in (bound.low, bound.high) if v is not None]
    for edge in edges:
        value = int(edge) if bound.whole else float(edge)
        ok = bound.admits(value)
        kwargs = base | {name: value}
        if name == "val_fraction" and value >= 0.5:
            kwargs["test_fraction"] = 0.05
        if ok:
            owner(**kwargs)
        else:
            with pytest.raises(ValueError):
                owner(**kwargs)
        outside = value - 1 if edge == bound.low else value + 1
        if bound.whole or edge == bound.low:
            with pytest.raises(ValueError):
                owner(**(base | {name: outside}))


def _one_grid() -> None:
    import streamlit as st

    from ui.model_form import ModelForm

    form = ModelForm("g", model_fields=("hidden_size", "forget_bias"), train_fields=("epochs", "lr"))
    for key, value in form.widget_values().items():
        st.session_state.setdefault(key, value)
    form.draw(columns=4)
    st.number_input("after", key="g.after")
    st.session_state["configs"] = form.configs()


def test_one_grid_of_model_and_training_fields_with_each_error_under_its_row():
    at = AppTest.from_function(_one_grid, default_timeout=30)
    at.run()
    assert not at.error and at.session_state["configs"] is not None
    assert [n.key for n in at.number_input] == ["g.hidden_size", "g.forget_bias", "g.epochs", "g.lr",
                                                "g.after"]
    at.number_input(key="g.epochs").set_value(0)
    at.run()
    assert [e.value for e in at.error] == ["Epochs: enter a whole number of at least 1; got 0."]
    assert at.session_state["configs"] is None


def test_a_config_message_reads_as_a_sentence_in_the_labels_words():
    from ui.model_form import in_words

    labels = {"seq_len": "Sequence length", "num_layers": "Layers"}
    assert in_words("seq_len 90 is too long: use seq_len <= 60", labels) == (
        "Sequence length 90 is too long: use Sequence length <= 60.")
    assert in_words("dropout needs num_layers >= 2.", labels) == "Dropout needs Layers >= 2."
