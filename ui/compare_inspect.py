"""Compare page: "Look inside an LSTM" (gates, states, units, saturation) and "Show the code"."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
import torch
from torch import nn

from lstm_core.code_snippet import code_snippet
from lstm_core.introspection import gate_saturation, inspect_lstm, rank_units
from lstm_core.plots.compare import gate_heatmaps_figure, unit_trace_figure
from ui.compare_jobs import PROBE_SIZE, CompareOutcome, Probe
from ui.compare_settings import CompareSettings, plan_runs
from ui.state import COMPARE_UPLOADED


@dataclass(frozen=True, eq=False)
class Inspectable:
    label: str
    model: nn.Module
    probe: Probe


def _probe_for_record(record) -> Probe:
    """Inputs for a loaded run: the test windows of its bundled series, or the bundled MNIST test digits."""
    if record.kind == "forecast":
        from lstm_core.data import load_bundled
        from lstm_core.forecasting import prepare_forecast_data

        prov = dict(record.provenance or {})
        if prov.get("source") != "bundled" or not prov.get("ticker"):
            raise ValueError("this forecast was trained on data the app does not bundle (Yahoo or a CSV); "
                             "only runs on a bundled series can be opened here")
        frame = load_bundled(prov["ticker"])
        if prov.get("start") and prov.get("end"):
            frame = frame.loc[prov["start"]:prov["end"]]
        data = prepare_forecast_data(frame, record.data_cfg, record.scaler)
        test = data.parts["test"]
        x, y = data.x[test][-PROBE_SIZE:], data.y[test][-PROBE_SIZE:]
        names = tuple(f"window before {d:%Y-%m-%d}" for d in data.dates[test][-PROBE_SIZE:])
        return Probe(x, y, y[:, 0], "target", names)
    if record.kind == "classifier":
        from lstm_core.config import MnistDataConfig
        from lstm_core.data.mnist import load_mnist

        data = load_mnist(MnistDataConfig(source="subset"), fallback=False)
        x, y = data.test_x[:PROBE_SIZE], data.test_y[:PROBE_SIZE]
        return Probe(x, y, y, "class", tuple(f"test digit {k + 1}: a {int(y[k])}" for k in range(len(x))))
    raise ValueError(f"a {record.kind!r} run cannot be opened here; use a Forecast or MNIST run file")


def _upload() -> None:
    upload = st.file_uploader("Or open an LSTM run file saved on the Forecast or MNIST page",
                              type=["lstmrun", "pt", "bin"], key="compare.run_upload")
    if upload is None or (st.session_state.get(COMPARE_UPLOADED) or (None,))[0] == upload.name:
        return
    try:
        from lstm_core.persistence import load_run

        record = load_run(upload.getvalue())
        if record.model_cfg.cell != "LSTM":
            raise ValueError(f"its model is a {record.model_cfg.cell}: only an LSTM has gates to show")
        item = Inspectable(f"loaded: {upload.name}", record.build_model(), _probe_for_record(record))
    except Exception as exc:  # noqa: BLE001 - whatever is in the file, the page says so and goes on
        st.error(f"Could not open {upload.name}: {exc}")
        return
    st.session_state[COMPARE_UPLOADED] = (upload.name, item)


def _candidates(result: CompareOutcome | None) -> list[Inspectable]:
    items = [Inspectable(r.label, r.model, result.probe) for r in (result.runs if result else [])
             if r.cfg.cell == "LSTM"]
    uploaded = st.session_state.get(COMPARE_UPLOADED)
    return items + ([uploaded[1]] if uploaded else [])


def _unit_signal(probe: Probe, sample: int) -> tuple[torch.Tensor, str]:
    if probe.signal_kind == "class":
        label = int(probe.y[sample])
        return (probe.y == label).float(), f"is this a {label}-class input (one against the rest)"
    if probe.signal_kind == "target":
        return probe.signal, "the target (correlated with the state after the last step)"
    return probe.signal, "where the task's markers are (correlated step by step)"


def inspect_tab(result: CompareOutcome | None) -> None:
    _upload()
    items = _candidates(result)
    if not items:
        st.info("Train a comparison with an LSTM ticked (or open an LSTM run file above) to look inside it.")
        return
    c1, c2 = st.columns(2)
    names = [i.label for i in items]
    item = items[names.index(c1.selectbox("LSTM", names, key="compare.inspect_model"))]
    probe = item.probe
    sample = c2.selectbox("Input", range(len(probe.names)), format_func=lambda k: probe.names[k],
                          key="compare.inspect_input")
    sample = min(int(sample or 0), len(probe.names) - 1)
    ins = inspect_lstm(item.model, probe.x)
    lstm = item.model.rnn
    layer = direction = 0
    if lstm.num_layers > 1 or lstm.bidirectional:
        c1, c2 = st.columns(2)
        layer = int(c1.number_input("Layer", 0, lstm.num_layers - 1, key="compare.inspect_layer"))
        if lstm.bidirectional:
            direction = 1 if c2.radio("Direction", ["forward", "backward"], horizontal=True,
                                      key="compare.inspect_direction") == "backward" else 0
    st.metric("Largest difference from nn.LSTM's own output", f"{ins.max_abs_diff:.1e}",
              help="The gates below are recomputed by hand from the trained weights; this is how far the "
                   "hand computation's outputs, h_n and c_n lie from torch's nn.LSTM on the same inputs.")
    matrices = ins.matrices(sample, layer, direction)
    markers = probe.markers[sample] if probe.markers else ()
    fig = gate_heatmaps_figure(matrices, markers=markers)
    st.plotly_chart(fig, key="compare.gates", width="stretch")
    st.caption(heatmap_caption(bool(markers)))
    _units(ins, probe, sample, layer, direction, matrices)


def heatmap_caption(markers: bool) -> str:
    """The heatmaps' caption; the marked steps are named only where the input has them (a price window or
    a digit has none, and the caption told the learner to look for red lines that were not drawn)."""
    text = ("Rows are units, columns are steps. Gates run from 0 (shut, purple) to 1 (open, yellow); "
            "states are red (negative) to blue (positive).")
    if markers:
        return text + (" Red dotted lines mark the task's marked steps: look for units whose cell state "
                       "changes there and then holds while the forget gate stays open.")
    return text + (" Look for units whose cell state changes at a telling step and then holds while the "
                   "forget gate stays open.")


def _units(ins, probe: Probe, sample: int, layer: int, direction: int, matrices: dict) -> None:
    signal, meaning = _unit_signal(probe, sample)
    cell = ins.trace.cell[layer, direction]
    scores = rank_units(cell.numpy(), signal.numpy())
    st.markdown(f"**Units ranked** by how well their cell state tracks {meaning}, over {len(probe.names)} "
                "test inputs:")
    options = [s.unit for s in scores]
    correlation = {s.unit: s.correlation for s in scores}
    unit = st.selectbox("Unit to trace", options, key="compare.inspect_unit",
                        format_func=lambda u: f"unit {u} (r = {correlation[u]:+.2f})")
    unit = unit if unit in options else options[0]
    step_signal = probe.signal[sample].tolist() if probe.signal_kind == "steps" else None
    st.plotly_chart(unit_trace_figure(matrices, unit, signal=step_signal), key="compare.unit_trace",
                    width="stretch")
    sat = gate_saturation(ins.trace, layer)
    c1, c2 = st.columns(2)
    c1.metric("Forget gate open (> 0.9)", f"{100 * sat.forget_open:.0f} %")
    c2.metric("Input gate shut (< 0.1)", f"{100 * sat.input_shut:.0f} %")
    st.caption("Saturation over every input, step and unit of this layer. Many open forget gates and shut "
               "input "
               "gates mean the LSTM mostly carries its cell state unchanged: that is how it remembers across "
               "long distances. A unit's trace shows its cell and hidden state and its gates over this "
               "input.")


def code_tab(settings: CompareSettings | None) -> None:
    if settings is None:
        st.info("Fix the settings above to see the code.")
        return
    if not settings.memory:
        st.info("The code covers the long-memory tasks (temporal order, adding, first symbol): choose one "
                "above.")
        return
    runs = plan_runs(settings)
    labels = [label for label, _ in runs]
    label = st.selectbox("Model", labels, key="compare.code_model")
    cfg = dict(runs)[label if label in labels else labels[0]]
    code = code_snippet(settings.task, cfg, settings.train_config(), settings.data_config())
    st.caption("A self-contained PyTorch script for this model with these settings: same task definition, "
               "budget and seed (its data are drawn with torch's generator, so not the very same sequences).")
    st.code(code, language="python")
    st.download_button("Download the script", code, f"compare_{settings.task}_{label}.py", "text/x-python",
                       key="compare.code_download", icon=":material/download:")
