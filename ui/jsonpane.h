#pragma once

#include "jsonformatter.h"
#include "jsontreemodel.h"

#include <QMenu>
#include <QPointer>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTreeView;

namespace eventium::ui {

class TextSlicer;

// One JSON document of an event (its payload or its metadata) as text and as a tree, made so
// that no document freezes the window:
// * small documents are shown at once; bigger ones are formatted off the UI thread ("Formatting
//   6.1 MB…") and the text shows its first part (kPreviewLines lines, kPreviewChars characters)
//   with the size and a "Show all" button, which adds the rest a slice per event-loop turn;
// * lines longer than DisplayJson::kMaxLineChars are shown in pieces of that length;
// * only the lines on screen are coloured (JsonHighlighter);
// * the tree (JsonTreeModel) creates a node's children only when it is expanded; a value and
//   its JSON path can be copied from it (context menu, Ctrl+C, Ctrl+Shift+C).
class JsonPane : public QWidget
{
    Q_OBJECT
public:
    // Documents up to this size are formatted on the UI thread (it takes well under 1 ms).
    static constexpr qsizetype kSyncBytes = 32 * 1024;

    explicit JsonPane(const QString &name, QWidget *parent = nullptr);

    // Shows `json` (empty: "null"). Replaces whatever was shown or still being prepared.
    void setJson(const QByteArray &json);
    void clear();

    QPlainTextEdit *textEdit() const { return m_text; }
    QTreeView *treeView() const { return m_tree; }
    JsonTreeModel *treeModel() const { return m_model; }
    QTabWidget *tabs() const { return m_tabs; }
    QPushButton *showAllButton() const { return m_showAll; }
    QLabel *statusLabel() const { return m_status; }

    // Formatting off the UI thread, or adding the rest after "Show all".
    bool isBusy() const;
    // Only the first part of the text is shown.
    bool isPartial() const;
    void showAll();

    // The tree's current value and its path, as copied.
    void copyValue();
    void copyPath();
    // Whether the tree's menu offers to search for a value (the payload: what searches read).
    void setSearchable(bool searchable) { m_searchable = searchable; }
    // Asks to search for the tree's current value (JsonTreeModel::searchExpressionAt).
    void searchValue();
    // The tree's menu for its current row (as the menu key or a right click opens it); the
    // menu open now, or null.
    void openTreeMenu();
    QMenu *treeMenu() const { return m_menu; }

signals:
    void copied(const QString &what);
    // A search expression for the Live tab's Where box.
    void searchRequested(const QString &expression);

private:
    // What the pane shows of a document, prepared off the UI thread when it is big.
    struct Prepared
    {
        DisplayJson display;
        JsonTreeModel::Checked checked;
    };
    static Prepared prepare(const QByteArray &json);
    void display(Prepared prepared);
    void updateStatus();
    void showTreeMenu(const QPoint &at);
    void loadTree();

    QTabWidget *m_tabs;
    QPlainTextEdit *m_text;
    QTreeView *m_tree;
    JsonTreeModel *m_model;
    QLabel *m_status;
    QPushButton *m_showAll;
    TextSlicer *m_slicer;
    QByteArray m_json; // what is shown (the tree reads it)
    bool m_treeLoaded = false;
    bool m_searchable = false;
    QPointer<QMenu> m_menu;
    DisplayJson m_display;
    JsonTreeModel::Checked m_checked;
    qsizetype m_shownChars = 0; // of m_display.text, in the view or on their way (m_slicer)
    quint64 m_generation = 0; // counts setJson() and clear()
    bool m_formatting = false; // a document is being formatted off the UI thread
};

} // namespace eventium::ui
