#pragma once

#include <eventium/types.h>

#include <QList>
#include <QWidget>

class QComboBox;
class QLineEdit;
class QToolButton;

namespace eventium::ui {

// The search row of the Live and the Stream tabs: what to search by (an expression, text in
// the payload, part of a stream name), the text, and a Stop button shown while a search runs.
// Enter, a new mode or a cleared box submit it; Esc (within the view) asks to stop.
class SearchBox : public QWidget
{
    Q_OBJECT
public:
    enum Mode { SearchWhere, SearchText, SearchStream };

    // `modes` in the order the combo box offers them; `shortcutScope` is the widget within
    // which Esc stops a search.
    SearchBox(const QList<Mode> &modes, QWidget *shortcutScope, QWidget *parent = nullptr);

    void setSearch(Mode mode, const QString &text);
    Mode mode() const;
    // Sets `filter`'s search fields (where, text, streamContains) from what is typed. An
    // expression that cannot be read is said at once, without asking the server: false, the
    // box marked and `error` set.
    bool fill(GlobalFilter &filter, QString *error);
    // Clears the text without submitting (a new connection, a new stream).
    void clearSilently();
    void setSearching(bool searching);

    QComboBox *modeCombo() const { return m_mode; }
    QLineEdit *edit() const { return m_edit; }
    QToolButton *stopButton() const { return m_stop; }

signals:
    void submitted();
    void stopRequested();

private:
    QComboBox *m_mode;
    QLineEdit *m_edit;
    QToolButton *m_stop;
};

} // namespace eventium::ui
