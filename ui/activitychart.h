#pragma once

#include <eventium/types.h>

#include <QWidget>

class QComboBox;
class QLabel;
class QTimer;
class QToolButton;

namespace eventium::ui {

class StoreWorker;

// A strip that shows how many events were written over time (Store::activity), for the whole
// store or one stream: bars stacked by type with a legend, a tooltip per bar (its time, total
// and types; "estimated" when sampled), a bucket width to choose, and a header that folds it
// away. The query runs in the worker; the newest answer wins. Clicking a bar asks to go to the
// first event at or after its start (bucketClicked).
class ActivityChart : public QWidget
{
    Q_OBJECT
public:
    explicit ActivityChart(StoreWorker *worker, QWidget *parent = nullptr);

    // Whose activity: a stream's, or the whole store's (empty). Loads it again when it changes.
    void setStream(const QString &stream);
    QString stream() const { return m_stream; }
    // Asks for the activity again (when shown and unfolded; otherwise once it is).
    void refresh();
    // New events were written: refreshes after a few seconds, at most that often.
    void noteNewEvents();
    // The bucket width: 0 automatic, else seconds.
    void setBucketSeconds(qint64 seconds);
    qint64 bucketSeconds() const;
    void setExpanded(bool expanded);
    bool isExpanded() const { return m_expanded; }

    bool isLoading() const { return m_token != 0; }
    const Activity &activity() const { return m_activity; }
    // The bar of a bucket, in widget coordinates (empty when not drawn), and the bucket under
    // a point (-1: none).
    QRect barRect(int bucket) const;
    int bucketAt(const QPoint &point) const;
    QString toolTipFor(int bucket) const;
    // The colour of a type's band (index into Activity::types; -1: other).
    static QColor typeColor(int index);
    QComboBox *widthBox() const { return m_width; }
    QLabel *summary() const { return m_summary; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    // A bar was clicked: go to the first event at or after `start` (of `stream`, if any).
    void bucketClicked(const QDateTime &start, const QString &stream);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;
    bool event(QEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void onActivity(quint64 token, const Activity &activity);
    void onFailed(quint64 token, const QString &message);
    // The area the bars fill, and the legend's line below it.
    QRect plotRect() const;
    QRect legendRect() const;
    void updateSummary();

    StoreWorker *m_worker;
    QString m_stream;
    Activity m_activity;
    QString m_error;
    quint64 m_token = 0;
    bool m_expanded = true;
    bool m_stale = true; // asked for while hidden or folded
    int m_hover = -1;
    QToolButton *m_fold = nullptr;
    QComboBox *m_width = nullptr;
    QLabel *m_summary = nullptr;
    QWidget *m_header = nullptr;
    QTimer *m_later = nullptr;
};

} // namespace eventium::ui
