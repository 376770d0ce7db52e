#pragma once

#include <eventium/types.h>

#include <QDialog>
#include <QList>

class QLabel;
class QTreeWidget;

namespace eventium::toolkit {
struct JsonChange;
}

namespace eventium::ui {

// Two events side by side as a structural diff (toolkit::jsonDiff) of their payloads and their
// metadata: one row per added, removed or changed path with the values before and after,
// the payload's rows first. The diff runs off the UI thread (payloads can be megabytes); at
// most kMaxRows rows are shown, and the summary says how many there are.
class CompareDialog : public QDialog
{
    Q_OBJECT
public:
    CompareDialog(const RecordedEvent &before, const RecordedEvent &after,
                  QWidget *parent = nullptr);
    ~CompareDialog() override;

    QTreeWidget *changes() const { return m_changes; }
    QLabel *summary() const { return m_summary; }
    bool isComparing() const { return m_comparing; }

    static constexpr int kMaxRows = 5000;
    enum Column { PartColumn, PathColumn, ChangeColumn, BeforeColumn, AfterColumn };

private:
    struct Outcome
    {
        QList<toolkit::JsonChange> payload;
        QList<toolkit::JsonChange> metadata;
        QString error;
    };
    void show(const Outcome &outcome);

    QLabel *m_title;
    QLabel *m_summary;
    QTreeWidget *m_changes;
    bool m_comparing = true;
};

} // namespace eventium::ui
