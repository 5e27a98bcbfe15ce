"""The network diagram on its own: clicks on its items, weights, thumbnails, hover, zoom."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsPixmapItem, QGraphicsSimpleTextItem

from nnviz.core.design import FEATURES_2D, Design, LayerSpec
from nnviz.core.run.frames import Views
from nnviz.ui import diagram_scene
from nnviz.ui.data_facts import DataFacts
from nnviz.ui.diagram_items import NEGATIVE, POSITIVE, playground_lut, thumbnails
from nnviz.ui.network_editor import MAX_SHOWN, NetworkEditor

FACTS = DataFacts(features=FEATURES_2D, defaults=("x1", "x2"), n_outputs=1)


@pytest.fixture
def editor(qtbot):
    """An editor that takes its own edits, as the window's undo stack would hand them back."""
    view = NetworkEditor()
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.set_design(Design(), FACTS)
    view.sigEdit.connect(lambda design, _text: view.set_design(design))
    view.show()
    qtbot.waitExposed(view)
    return view


def click(qtbot, editor: NetworkEditor, name: str) -> None:
    before = editor.design
    item = editor.item(name)
    pos = editor.mapFromScene(item.sceneBoundingRect().center())
    QTest.mouseClick(editor.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.waitUntil(lambda: editor.design != before, timeout=2000)


def test_clicks_on_the_diagram_edit_the_design(qtbot, editor):
    click(qtbot, editor, "addUnit1")
    assert editor.design.layers == (LayerSpec(4), LayerSpec(3))
    click(qtbot, editor, "removeUnit0")
    assert editor.design.layers == (LayerSpec(3), LayerSpec(3))
    click(qtbot, editor, "feature:sin(x1)")
    assert editor.design.features == ("x1", "x2", "sin(x1)")
    click(qtbot, editor, "feature:x1")
    assert editor.design.features == ("x2", "sin(x1)")
    click(qtbot, editor, "removeLayer")
    assert editor.design.layers == (LayerSpec(3),)
    click(qtbot, editor, "addLayer")
    assert editor.design.layers == (LayerSpec(3), LayerSpec(3))


def test_edits_that_would_break_the_network_are_refused_with_a_reason(qtbot, editor):
    messages = []
    editor.sigMessage.connect(messages.append)
    editor.set_design(Design(features=("x1",), layers=(LayerSpec(1),)))
    editor.remove_unit(0)
    editor.toggle_feature("x1")
    assert editor.design == Design(features=("x1",), layers=(LayerSpec(1),))
    assert messages == [
        "A layer needs at least one neuron; remove the layer instead.",
        "The network needs at least one input.",
    ]
    assert not editor.item("removeUnit0").enabled


def test_wide_layers_collapse_with_a_count(editor):
    editor.set_design(Design(layers=(LayerSpec(120), LayerSpec(2))))
    shown = editor.scene().max_shown
    names = editor.item_names()
    assert f"neuron0_{shown - 2}" in names
    assert f"neuron0_{shown - 1}" not in names
    texts = [i.text() for i in editor.scene().items() if isinstance(i, QGraphicsSimpleTextItem)]
    assert f"… {120 - (shown - 1)} more" in texts
    assert "Hidden 1\n120 · tanh" in [t.label.text() for t in [editor.item("layerHeader0")]]


def weights_for(design: Design, n_outputs: int = 1):
    sizes = [len(design.features), *(layer.units for layer in design.layers), n_outputs]
    params = []
    for k in range(len(sizes) - 1):
        w = np.linspace(-1.0, 1.0, sizes[k + 1] * sizes[k]).reshape(sizes[k + 1], sizes[k])
        params.append((w.astype(np.float32), np.full(sizes[k + 1], 0.25, np.float32)))
    return params


def test_edges_show_sign_by_colour_and_magnitude_by_width(editor):
    params = weights_for(editor.design)
    editor.set_params(params)
    edges = editor.edges()
    strongest_negative = edges[(0, 0, 0)]  # W0[0, 0] == -1
    positive = edges[(0, 3, 1)]  # W0[3, 1] == +1
    weaker = edges[(0, 1, 0)]
    assert strongest_negative.pen().color().rgb() == NEGATIVE.rgb()
    assert positive.pen().color().rgb() == POSITIVE.rgb()
    assert strongest_negative.pen().widthF() > weaker.pen().widthF()
    assert positive.tip() == "weight +1.0000"
    assert "bias: +0.2500" in editor.item("neuron0_2").tip()
    assert "activation: tanh" in editor.item("neuron0_2").tip()

    faster = replace(editor.design, training=replace(editor.design.training, batch_size=64))
    editor.set_design(faster)  # a training setting: the weights stay on show
    assert positive.tip() == "weight +1.0000"

    editor.set_params(weights_for(Design(layers=(LayerSpec(5),))))  # another network's
    assert positive.tip() == ""
    assert "bias" not in editor.item("neuron0_2").tip()


def test_edges_are_opaque_and_restyled_only_when_their_weight_step_changes(editor):
    params = weights_for(editor.design)
    editor.set_params(params)
    edges = editor.edges()
    weaker = edges[(0, 1, 0)]
    pen = weaker.pen()
    assert pen.color().alpha() == 255  # blended over the background, not translucent
    calls = []
    weaker.setPen = lambda new_pen: calls.append(new_pen)  # count restyles of this edge
    nudged = [(w.copy(), b) for w, b in params]
    nudged[0][0][1, 0] += 0.001  # far less than a step (1/WEIGHT_STEPS of the largest)
    editor.set_params(nudged)
    assert calls == [] and weaker.tip() == f"weight {nudged[0][0][1, 0]:+.4f}"
    nudged[0][0][1, 0] = -1.0
    editor.set_params(nudged)
    assert len(calls) == 1 and calls[0].widthF() > pen.widthF()


def test_thumbnails_colour_each_map_by_its_own_scale_row_zero_at_the_bottom():
    maps = np.array([[[-2.0, 0.0], [0.5, 0.5]], [[0.0, 0.0], [0.0, 0.0]]], np.float32)
    first, flat = thumbnails(maps, playground_lut())
    assert (first.width(), first.height()) == (2, 2)
    assert QColor(first.pixel(0, 1)).rgb() == NEGATIVE.rgb()  # -2 is the extreme, at the bottom
    top = QColor(first.pixel(0, 0))
    assert top.blue() > top.red()  # +0.5 of ±2: a pale blue
    assert len({flat.pixel(x, y) for x in range(2) for y in range(2)}) == 1


def test_neuron_thumbnails_are_drawn_from_the_views(editor):
    design = editor.design
    hidden = [np.full((layer.units, 8, 8), 0.9, np.float32) for layer in design.layers]
    plane = Views(
        output=np.zeros((8, 8, 1), np.float32),
        neurons=(*hidden, np.full((1, 8, 8), -0.9, np.float32)),
        inputs=np.zeros((2, 8, 8), np.float32),
    )
    editor.set_neuron_maps(plane)
    picture = editor.item("neuron1_0").picture
    assert isinstance(picture, QGraphicsPixmapItem)
    pixel = QColor(picture.pixmap().toImage().pixel(4, 4))
    assert pixel.blue() > pixel.red()  # positive is blue
    output_pixel = QColor(editor.item("neuron2_0").picture.pixmap().toImage().pixel(4, 4))
    assert output_pixel.red() > output_pixel.blue()  # negative is orange

    line = Views(
        output=np.zeros((50, 1)),
        neurons=(np.zeros((4, 50)), np.zeros((2, 50)), np.zeros((1, 50))),
        inputs=np.zeros((2, 50)),
        xs=np.linspace(-3, 3, 50),
    )
    editor.set_neuron_maps(line)
    assert isinstance(editor.item("neuron0_0").picture, QGraphicsPathItem)
    editor.set_neuron_maps(None)
    assert editor.item("neuron0_0").picture is None


def test_hovering_a_neuron_reports_it(qtbot, editor):
    seen = []
    editor.sigNeuronHovered.connect(seen.append)
    editor.raise_()
    for name in ("neuron1_1", "feature:x2"):
        item = editor.item(name)
        QTest.mouseMove(editor.viewport(), editor.mapFromScene(item.sceneBoundingRect().center()))
        qtbot.wait(20)
    QTest.mouseMove(editor.viewport(), editor.viewport().rect().bottomRight())
    qtbot.waitUntil(lambda: seen[-1:] == [None], timeout=2000)
    assert (1, 1) in seen and (-1, 1) in seen


def test_wheel_zooms_and_fit_brings_the_whole_diagram_back(editor):
    editor.fit()
    fitted = editor.transform().m11()
    editor.zoom_by(2.0)
    assert editor.transform().m11() == pytest.approx(min(fitted * 2.0, 4.0))
    editor.fit()
    assert editor.transform().m11() == pytest.approx(fitted)
    visible = editor.mapToScene(editor.viewport().rect()).boundingRect()
    assert visible.contains(editor.scene().itemsBoundingRect())


def test_perceptron_and_back_restores_the_layers(editor):
    editor.set_design(Design(layers=(LayerSpec(6, "relu"),)))
    editor.toggle_perceptron()
    assert editor.is_perceptron() and editor.item("perceptron").label.text() == (
        "Back to a network"
    )
    editor.add_layer()  # leaves the perceptron: a step output takes no hidden layer
    assert editor.design.output.activation == "auto"
    editor.set_design(Design(layers=(LayerSpec(6, "relu"),)))
    editor.toggle_perceptron()
    editor.toggle_perceptron()
    assert editor.design.layers == (LayerSpec(6, "relu"),)


def test_the_diagram_follows_the_palette(editor):
    dark = QPalette()
    dark.setColor(QPalette.ColorRole.Base, QColor("#202124"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#e8eaed"))
    editor.setPalette(dark)
    assert editor.backgroundBrush().color() == QColor("#202124")
    assert editor.item("addLayer").label.brush().color() == QColor("#e8eaed")


def test_right_click_menu_edits_the_layer_under_the_mouse(editor):
    editor.set_design(Design(layers=(LayerSpec(4), LayerSpec(3), LayerSpec(2))))
    clicked = []
    editor.sigLayerClicked.connect(clicked.append)
    second_column = editor.item("neuron1_0").sceneBoundingRect().center()
    menu = editor.context_menu(second_column)
    actions = {a.objectName(): a for a in menu.actions() if a.objectName()}
    assert actions["contextRemoveLayer"].text() == "Remove Layer 2"
    actions["contextEditLayer"].trigger()
    assert clicked == [1]
    actions["contextRemoveLayer"].trigger()
    assert editor.design.layers == (LayerSpec(4), LayerSpec(2))
    on_inputs = editor.context_menu(editor.item("feature:x1").sceneBoundingRect().center())
    assert "contextRemoveLayer" not in [a.objectName() for a in on_inputs.actions()]


def test_adding_a_neuron_while_weights_are_shown_redraws_without_them(qtbot, editor):
    """An edit after training: the old weights no longer fit, so the diagram drops them
    (an exception here, inside the undo stack's redo, would take the whole app down)."""
    sizes = [(4, 2), (2, 4), (1, 2)]
    editor.set_params([(np.full(shape, 0.5), np.full(shape[0], 0.1)) for shape in sizes])
    assert "bias: +0.1000" in editor.item("neuron0_3").tip()
    click(qtbot, editor, "addUnit0")
    assert editor.design.layers[0] == LayerSpec(5)
    assert "bias" not in editor.item("neuron0_4").tip()
    assert "bias" not in editor.item("neuron0_0").tip()


def test_hovering_an_edge_or_a_neuron_shows_its_current_values(qtbot, editor):
    """Tooltips are worked out when the mouse comes, from the weights shown then."""
    params = weights_for(editor.design)
    editor.set_params(params)
    edge = editor.edges()[(0, 3, 1)]
    neuron = editor.item("neuron0_2")
    params[0][1][2] = -0.75
    editor.set_params([(w * 0.5, b) for w, b in params])
    on_edge = next(  # a point of the edge where no other item lies on top of it
        point
        for point in (editor.mapFromScene(edge.path().pointAtPercent(t / 20)) for t in range(20))
        if editor.itemAt(point) is edge
    )
    for item, point in (
        (edge, on_edge),
        (neuron, editor.mapFromScene(neuron.sceneBoundingRect().center())),
    ):
        QTest.mouseMove(editor.viewport(), point)
        qtbot.waitUntil(item.isUnderMouse)
    assert edge.toolTip() == "weight +0.5000"
    assert "bias: -0.7500" in neuron.toolTip()


def test_the_diagram_buttons_stay_in_place_after_a_click(qtbot, editor):
    """Two clicks on "− layer" in the same place remove two layers (issue 14, item 15)."""
    editor.set_design(Design(layers=(LayerSpec(4),) * 4), FACTS)

    def where(name: str):
        return editor.mapFromScene(editor.item(name).sceneBoundingRect().center())

    remove, add_unit = where("removeLayer"), where("addUnit0")
    click(qtbot, editor, "removeLayer")
    assert (where("removeLayer"), where("addUnit0")) == (remove, add_unit)
    QTest.mouseClick(editor.viewport(), Qt.MouseButton.LeftButton, pos=remove)
    qtbot.waitUntil(lambda: len(editor.design.layers) == 2, timeout=2000)
    click(qtbot, editor, "addUnit0")
    assert editor.design.layers[0].units == 5 and where("addUnit0") == add_unit
    editor.set_design(Design(), FACTS)  # another design: fitted afresh
    visible = editor.mapToScene(editor.viewport().rect()).boundingRect()
    assert visible.contains(editor.scene().itemsBoundingRect())


def test_every_neuron_shows_where_there_is_room_and_the_text_stays_readable(qtbot, editor):
    """A 16-unit layer showed 7 neurons even at 1920 x 1080, its text about 4 px high in the
    default window (issue 14 item 7)."""
    design = Design(features=FEATURES_2D, layers=(LayerSpec(16), LayerSpec(8), LayerSpec(8)))
    editor.resize(900, 640)  # the diagram's room in a 1920 x 1080 window
    editor.set_design(design)
    qtbot.waitUntil(lambda: "neuron0_15" in editor.item_names())
    assert not [i for i in editor.scene().items() if "more" in getattr(i, "text", str)()]
    editor.resize(540, 300)  # the room in 1280 x 800
    qtbot.waitUntil(lambda: "neuron0_15" not in editor.item_names())
    assert f"neuron0_{MAX_SHOWN - 2}" in editor.item_names()
    label = editor.item("layerHeader0").label
    line = QFontMetricsF(label.font()).height()
    assert line * editor.transform().m11() >= diagram_scene.MIN_TEXT_PX - 1.5
    assert line * editor.transform().m11() < 2 * diagram_scene.MIN_TEXT_PX
