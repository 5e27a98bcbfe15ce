"""Help > Guide: a few short lessons that walk a newcomer through the playground."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

LESSONS = """
<h2>A short guide to nnviz</h2>

<h3>1. The picture</h3>
<p>The diagram shows the network: the <b>inputs</b> on the left, each <b>hidden layer</b> a
column of neurons, the <b>output</b> on the right. Every neuron computes a weighted sum of
the column before it, z = w·x + b, and passes it through its activation. Once training runs,
each neuron shows what it responds to over the input plane, and the edges show the weights:
<span style="color:#0877bd">blue</span> for positive,
<span style="color:#f59322">orange</span> for negative, thicker for larger.</p>

<h3>2. The perceptron and its limit</h3>
<p>Click <b>Perceptron</b>, choose the data set <i>AND</i> and press <b>Play</b> (Space): a
single neuron finds a line that separates the classes. Now choose <i>XOR</i>: no line can,
and the perceptron never settles. That is why networks have hidden layers.</p>

<h3>3. Hidden layers bend the boundary</h3>
<p>Click <b>Back to a network</b>, add a hidden layer (<b>+ layer</b>) and a few neurons
(<b>+</b> above the column). Train on <i>Exclusive or</i> and watch each hidden neuron draw
one line; the output combines them into the checkerboard.</p>

<h3>4. Features do the work too</h3>
<p>Click the inputs to switch them on and off. With only x₁·x₂ switched on, XOR is solved
without any hidden layer; with x₁² and x₂², so is the circle. Good features make a network
smaller.</p>

<h3>5. Learning rate, batch size and regularisation</h3>
<p>Raise the learning rate to 3 and the loss jumps about or diverges; lower it to 0.0001 and
training crawls. Add noise to the data, make the training share small and watch the test loss
rise while the training loss keeps falling: overfitting. L2 regularisation and dropout
(click a layer's title) hold it back.</p>

<h3>6. Keep what you built</h3>
<p>Every change can be undone (Ctrl+Z). Save a design (Ctrl+S) to share it, open the
examples from <b>File &gt; Examples</b>, and export the window, the data or the weights from
<b>File &gt; Export</b>. Hover any setting to read what it means.</p>
"""


GUIDE_WIDTH = 480
#: The guide is never narrower than this, even where that means covering some of the diagram.
NARROWEST = 360
FRAME = 8  # room for the guide's window frame


def place_beside(guide: QWidget, window: QWidget, described: QWidget) -> None:
    """Put ``guide`` where it hides none of ``described`` (the diagram it talks about):
    beside ``window`` when the screen has room, else over the window's right-hand panels."""
    screen = window.screen().availableGeometry()
    frame = window.frameGeometry()
    height = min(guide.height(), frame.height())
    if screen.right() - frame.right() >= guide.width():
        x, width = frame.right() + 1, guide.width()
    elif frame.left() - screen.left() >= guide.width():
        x, width = frame.left() - guide.width(), guide.width()
    else:
        right_of_diagram = described.mapToGlobal(described.rect().topRight()).x() + 1
        width = max(min(guide.width(), frame.right() - right_of_diagram - FRAME), NARROWEST)
        x = frame.right() - width - FRAME
    guide.resize(width, height)
    guide.move(x, frame.top())  # where its frame goes


class GuideDialog(QDialog):
    """The lessons in a scrollable, non-modal window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guideDialog")
        self.setWindowTitle("nnviz guide")
        self.resize(GUIDE_WIDTH, 640)
        text = QTextBrowser(objectName="guideText")
        text.setHtml(LESSONS)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(buttons)
