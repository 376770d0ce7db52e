#include "jsonpane.h"

#include "backgroundtask.h"
#include "jsonhighlighter.h"
#include "jsontreemodel.h"
#include "textslicer.h"

#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QTabWidget>
#include <QTextCursor>
#include <QTreeView>
#include <QVBoxLayout>

namespace eventium::ui {

namespace {

// Ctrl+C and Ctrl+Shift+C in the tree copy its value and its path; they are taken before the
// window's own Ctrl+C ("copy the event") can see them.
class TreeKeys : public QObject
{
public:
    TreeKeys(JsonPane *pane, QObject *parent)
        : QObject(parent)
        , m_pane(pane)
    {
    }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::ContextMenu
            && static_cast<QContextMenuEvent *>(event)->reason() == QContextMenuEvent::Keyboard) {
            m_pane->openTreeMenu(); // the menu key: at the current row
            return true;
        }
        if (event->type() != QEvent::ShortcutOverride && event->type() != QEvent::KeyPress)
            return QObject::eventFilter(watched, event);
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_F10 && key->modifiers() == Qt::ShiftModifier) {
            event->accept();
            if (event->type() == QEvent::KeyPress)
                m_pane->openTreeMenu();
            return true;
        }
        const bool copyPath = key->key() == Qt::Key_C
            && key->modifiers() == (Qt::ControlModifier | Qt::ShiftModifier);
        const bool copyValue = key->matches(QKeySequence::Copy);
        if (!copyPath && !copyValue)
            return QObject::eventFilter(watched, event);
        event->accept();
        if (event->type() == QEvent::KeyPress) {
            if (copyPath)
                m_pane->copyPath();
            else
                m_pane->copyValue();
        }
        return true;
    }

private:
    JsonPane *m_pane;
};

} // namespace

JsonPane::JsonPane(const QString &name, QWidget *parent)
    : QWidget(parent)
{
    setObjectName(name + QStringLiteral("Pane"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);

    m_text = new QPlainTextEdit(this);
    m_text->setObjectName(name);
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_text->setFrameShape(QFrame::NoFrame);
    m_text->document()->setDocumentMargin(8);
    m_text->document()->setUndoRedoEnabled(false);
    new JsonHighlighter(m_text); // owned by the text view
    m_slicer = new TextSlicer(m_text);

    m_model = new JsonTreeModel(this);
    m_tree = new QTreeView(this);
    m_tree->setObjectName(name + QStringLiteral("Tree"));
    m_tree->setModel(m_model);
    m_tree->setUniformRowHeights(true);
    m_tree->setFrameShape(QFrame::NoFrame);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_tree->installEventFilter(new TreeKeys(this, m_tree));
    connect(m_tree, &QTreeView::customContextMenuRequested, this, &JsonPane::showTreeMenu);
    // Keys get room as deeper levels open (bounded: a long key must not push the values away).
    m_tree->header()->resizeSection(0, 160);
    connect(m_tree, &QTreeView::expanded, this, [this] {
        m_tree->resizeColumnToContents(0);
        m_tree->setColumnWidth(0, qBound(160, m_tree->columnWidth(0), 360));
    });

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(name + QStringLiteral("Tabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->setTabPosition(QTabWidget::South);
    m_tabs->addTab(m_text, tr("Text"));
    m_tabs->addTab(m_tree, tr("Tree"));
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] { loadTree(); });
    layout->addWidget(m_tabs, 1);

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(4, 0, 4, 0);
    m_status = new QLabel(this);
    m_status->setObjectName(name + QStringLiteral("Status"));
    m_status->setStyleSheet(QStringLiteral("color: palette(placeholder-text);"));
    bar->addWidget(m_status, 1);
    m_showAll = new QPushButton(this);
    m_showAll->setObjectName(name + QStringLiteral("ShowAll"));
    m_showAll->setFlat(true);
    connect(m_showAll, &QPushButton::clicked, this, &JsonPane::showAll);
    bar->addWidget(m_showAll);
    layout->addLayout(bar);

    connect(m_slicer, &TextSlicer::progressed, this, &JsonPane::updateStatus);
    updateStatus();
}

void JsonPane::setJson(const QByteArray &json)
{
    ++m_generation;
    m_slicer->stop();
    m_json = json.trimmed().isEmpty() ? QByteArray("null") : json;
    m_treeLoaded = false;
    m_model->clear();
    if (m_json.size() <= kSyncBytes) {
        m_formatting = false;
        display(prepare(m_json));
        return;
    }
    m_formatting = true;
    m_text->clear();
    m_display = {};
    m_shownChars = 0;
    runInBackground(
        this, [json = m_json] { return prepare(json); },
        [this, generation = m_generation](Prepared prepared) {
            // Only the answer for what is shown now: an older document may finish later.
            if (!m_formatting || generation != m_generation)
                return;
            m_formatting = false;
            display(std::move(prepared));
        });
    updateStatus();
}

void JsonPane::clear()
{
    ++m_generation;
    m_slicer->stop();
    m_formatting = false;
    m_json.clear();
    m_display = {};
    m_shownChars = 0;
    m_text->clear();
    m_treeLoaded = false;
    m_model->clear();
    updateStatus();
}

bool JsonPane::isBusy() const
{
    return m_formatting || m_slicer->isActive();
}

bool JsonPane::isPartial() const
{
    return !m_formatting && !m_slicer->isActive() && m_shownChars < m_display.text.size();
}

JsonPane::Prepared JsonPane::prepare(const QByteArray &json)
{
    return Prepared {DisplayJson::prepare(json), JsonTreeModel::check(json)};
}

void JsonPane::display(Prepared prepared)
{
    m_display = std::move(prepared.display);
    m_checked = std::move(prepared.checked);
    loadTree();
    m_shownChars = m_display.previewChars;
    m_text->setPlainText(m_display.text.left(m_shownChars));
    updateStatus();
}

void JsonPane::showAll()
{
    if (!isPartial())
        return;
    QTextCursor end(m_text->document());
    end.movePosition(QTextCursor::End);
    m_slicer->start(end, m_display.text.mid(m_shownChars));
    m_shownChars = m_display.text.size();
    updateStatus();
}

void JsonPane::updateStatus()
{
    QString status;
    QString button;
    if (m_formatting) {
        status = tr("Formatting %1…").arg(JsonFormatter::displaySize(m_json.size()));
    } else if (m_slicer->isActive()) {
        status = tr("Showing all of %1… %2%")
                     .arg(JsonFormatter::displaySize(m_display.sourceBytes))
                     .arg(m_slicer->percent());
    } else if (isPartial()) {
        status = tr("Showing the first %1 of %2 lines")
                     .arg(QLocale().toString(m_display.previewLines),
                          QLocale().toString(m_display.lines));
        button = tr("Show all (%1)").arg(JsonFormatter::displaySize(m_display.sourceBytes));
    } else if (m_display.sourceBytes > kSyncBytes) {
        status = JsonFormatter::displaySize(m_display.sourceBytes);
    }
    m_status->setText(status);
    m_status->setVisible(!status.isEmpty());
    m_showAll->setText(button);
    m_showAll->setVisible(!button.isEmpty());
}

void JsonPane::loadTree()
{
    if (m_treeLoaded || m_formatting || m_tabs->currentWidget() != m_tree || m_json.isEmpty())
        return;
    m_treeLoaded = true;
    m_model->setJson(m_json, m_checked);
    // A small document opens at its top level; a big one waits to be opened (finding the
    // children of a container of megabytes is a pass over it, felt when it comes unasked).
    if (m_json.size() <= kSyncBytes)
        m_tree->expandToDepth(0);
}

void JsonPane::copyValue()
{
    const QModelIndex index = m_tree->currentIndex();
    if (!index.isValid())
        return;
    QApplication::clipboard()->setText(m_model->valueTextAt(index));
    emit copied(tr("Copied the value of %1").arg(m_model->pathAt(index)));
}

void JsonPane::copyPath()
{
    const QModelIndex index = m_tree->currentIndex();
    if (!index.isValid())
        return;
    const QString path = m_model->pathAt(index);
    QApplication::clipboard()->setText(path);
    emit copied(tr("Copied the path %1").arg(path));
}

void JsonPane::showTreeMenu(const QPoint &at)
{
    const QModelIndex index = m_tree->indexAt(at);
    if (!index.isValid())
        return;
    m_tree->setCurrentIndex(index);
    openTreeMenu();
}

void JsonPane::openTreeMenu()
{
    const QModelIndex index = m_tree->currentIndex();
    if (!index.isValid())
        return;
    if (m_menu)
        m_menu->close();
    m_menu = new QMenu(m_tree);
    m_menu->setAttribute(Qt::WA_DeleteOnClose);
    m_menu->addAction(tr("Copy &Value"), QKeySequence::Copy, this, &JsonPane::copyValue);
    m_menu->addAction(tr("Copy &Path"), QKeySequence(tr("Ctrl+Shift+C")), this,
                      &JsonPane::copyPath);
    if (m_searchable) {
        const QString expression = m_model->searchExpressionAt(index);
        QAction *search
            = m_menu->addAction(tr("&Search Live for This Value"), this, &JsonPane::searchValue);
        search->setEnabled(!expression.isEmpty());
        search->setToolTip(expression);
    }
    const QRect rect = m_tree->visualRect(index);
    m_menu->popup(m_tree->viewport()->mapToGlobal(QPoint(rect.left() + 24, rect.bottom())));
}

void JsonPane::searchValue()
{
    const QString expression = m_model->searchExpressionAt(m_tree->currentIndex());
    if (!expression.isEmpty())
        emit searchRequested(expression);
}

} // namespace eventium::ui
