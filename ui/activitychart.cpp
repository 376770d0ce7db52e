#include "activitychart.h"

#include "jsonformatter.h"
#include "storeworker.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHelpEvent>
#include <QLabel>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QResizeEvent>
#include <QTimer>
#include <QToolButton>
#include <QToolTip>

#include <cmath>
#include <iterator>

namespace eventium::ui {

namespace {

constexpr int kTopTypes = 6;
constexpr int kPlotHeight = 120;
constexpr int kLeftMargin = 60;
constexpr int kRightMargin = 10;
constexpr int kAxisHeight = 18;
constexpr int kLegendHeight = 20;
constexpr int kRefreshDelayMs = 10000;

QString widthText(qint64 seconds)
{
    if (seconds % 86400 == 0)
        return seconds == 86400 ? ActivityChart::tr("day")
                                : ActivityChart::tr("%1 days").arg(seconds / 86400);
    if (seconds % 3600 == 0)
        return seconds == 3600 ? ActivityChart::tr("hour")
                               : ActivityChart::tr("%1 hours").arg(seconds / 3600);
    if (seconds % 60 == 0)
        return seconds == 60 ? ActivityChart::tr("minute")
                             : ActivityChart::tr("%1 minutes").arg(seconds / 60);
    return seconds == 1 ? ActivityChart::tr("second")
                        : ActivityChart::tr("%1 seconds").arg(seconds);
}

// A bucket's start as the axis shows it: as much as its width needs, in local time.
QString axisTime(const QDateTime &time, qint64 bucketSeconds)
{
    const QDateTime local = time.toLocalTime();
    if (bucketSeconds >= 86400)
        return local.toString(QStringLiteral("yyyy-MM-dd"));
    if (bucketSeconds >= 60)
        return local.toString(QStringLiteral("MM-dd HH:mm"));
    return local.toString(QStringLiteral("HH:mm:ss"));
}

// A count as the scale shows it: short (12,345, 123k, 2.7M).
QString compactCount(qint64 n)
{
    const QLocale locale;
    if (n < 100000)
        return locale.toString(n);
    if (n < 1000000)
        return locale.toString(double(n) / 1000.0, 'f', 0) + QLatin1Char('k');
    return locale.toString(double(n) / 1e6, 'f', n < 10000000 ? 1 : 0) + QLatin1Char('M');
}

} // namespace

ActivityChart::ActivityChart(StoreWorker *worker, QWidget *parent)
    : QWidget(parent)
    , m_worker(worker)
{
    setObjectName(QStringLiteral("activityChart"));
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setAttribute(Qt::WA_OpaquePaintEvent, false);

    m_header = new QWidget(this);
    auto *header = new QHBoxLayout(m_header);
    header->setContentsMargins(4, 2, 6, 2);
    m_fold = new QToolButton(m_header);
    m_fold->setObjectName(QStringLiteral("activityFold"));
    m_fold->setAutoRaise(true);
    m_fold->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_fold->setArrowType(Qt::DownArrow);
    m_fold->setText(tr("Activity"));
    m_fold->setToolTip(tr("Show or hide the activity chart"));
    connect(m_fold, &QToolButton::clicked, this, [this] { setExpanded(!m_expanded); });
    header->addWidget(m_fold);
    m_summary = new QLabel(m_header);
    m_summary->setObjectName(QStringLiteral("activitySummary"));
    m_summary->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    header->addWidget(m_summary, 1);
    auto *per = new QLabel(tr("Per:"), m_header);
    header->addWidget(per);
    m_width = new QComboBox(m_header);
    m_width->setObjectName(QStringLiteral("activityWidth"));
    m_width->addItem(tr("Auto"), qint64(0));
    m_width->addItem(tr("Second"), qint64(1));
    m_width->addItem(tr("Minute"), qint64(60));
    m_width->addItem(tr("Hour"), qint64(3600));
    m_width->addItem(tr("Day"), qint64(86400));
    m_width->setToolTip(tr("The width of a bar; Auto fits the whole range in at most 120 bars, a "
                           "fixed width shows the newest 120"));
    per->setBuddy(m_width);
    connect(m_width, &QComboBox::currentIndexChanged, this, [this] { refresh(); });
    header->addWidget(m_width);

    m_later = new QTimer(this);
    m_later->setSingleShot(true);
    m_later->setInterval(kRefreshDelayMs);
    connect(m_later, &QTimer::timeout, this, &ActivityChart::refresh);

    connect(m_worker, &StoreWorker::activityReady, this, &ActivityChart::onActivity);
    connect(m_worker, &StoreWorker::failed, this,
            [this](quint64 token, const StoreError &error) { onFailed(token, error.message()); });
    updateSummary();
}

void ActivityChart::setStream(const QString &stream)
{
    if (stream == m_stream)
        return;
    m_stream = stream;
    m_activity = {};
    m_hover = -1;
    m_error.clear();
    refresh();
    update();
}

void ActivityChart::refresh()
{
    m_later->stop();
    if (!isVisible() || !m_expanded || !m_worker->isConnected()) {
        m_stale = true;
        return;
    }
    m_stale = false;
    ActivityQuery query;
    query.stream = m_stream;
    query.bucketSeconds = bucketSeconds();
    query.topTypes = kTopTypes;
    m_token = m_worker->activity(query);
    updateSummary();
}

void ActivityChart::noteNewEvents()
{
    if (!m_later->isActive())
        m_later->start();
}

void ActivityChart::setBucketSeconds(qint64 seconds)
{
    const int index = m_width->findData(seconds);
    if (index >= 0)
        m_width->setCurrentIndex(index);
}

qint64 ActivityChart::bucketSeconds() const
{
    return m_width->currentData().toLongLong();
}

void ActivityChart::setExpanded(bool expanded)
{
    if (expanded == m_expanded)
        return;
    m_expanded = expanded;
    m_fold->setArrowType(expanded ? Qt::DownArrow : Qt::RightArrow);
    updateGeometry();
    update();
    if (expanded && m_stale)
        refresh();
}

void ActivityChart::onActivity(quint64 token, const Activity &activity)
{
    if (token != m_token)
        return;
    m_token = 0;
    m_activity = activity;
    m_error.clear();
    m_hover = -1;
    updateSummary();
    update();
}

void ActivityChart::onFailed(quint64 token, const QString &message)
{
    if (token != m_token)
        return;
    m_token = 0;
    m_error = message;
    updateSummary();
    update();
}

void ActivityChart::updateSummary()
{
    QString text = m_stream.isEmpty() ? tr("whole store") : m_stream;
    if (!m_activity.buckets.isEmpty()) {
        text += QStringLiteral(" · ")
            + tr("%1 events · a bar per %2")
                  .arg(QLocale().toString(m_activity.total()), widthText(m_activity.bucketSeconds));
        if (m_activity.anyEstimated())
            text += QStringLiteral(" · ") + tr("types estimated in large bars");
    }
    if (m_token != 0)
        text += QStringLiteral(" · ") + tr("loading…");
    m_summary->setText(text);
}

QSize ActivityChart::sizeHint() const
{
    const int header = m_header->sizeHint().height();
    return {600, m_expanded ? header + kPlotHeight + kAxisHeight + kLegendHeight + 6 : header};
}

QSize ActivityChart::minimumSizeHint() const
{
    return {200, sizeHint().height()};
}

QRect ActivityChart::plotRect() const
{
    const int top = m_header->sizeHint().height() + 6;
    return QRect(kLeftMargin, top, qMax(10, width() - kLeftMargin - kRightMargin), kPlotHeight);
}

QRect ActivityChart::legendRect() const
{
    const QRect plot = plotRect();
    return QRect(plot.left(), plot.bottom() + kAxisHeight, plot.width(), kLegendHeight);
}

QRect ActivityChart::barRect(int bucket) const
{
    const int n = int(m_activity.buckets.size());
    if (!m_expanded || bucket < 0 || bucket >= n)
        return {};
    const QRect plot = plotRect();
    const double step = double(plot.width()) / n;
    const int left = plot.left() + int(bucket * step);
    const int right = plot.left() + int((bucket + 1) * step);
    return QRect(left, plot.top(), qMax(1, right - left), plot.height());
}

int ActivityChart::bucketAt(const QPoint &point) const
{
    const QRect plot = plotRect();
    const int n = int(m_activity.buckets.size());
    if (!m_expanded || n == 0 || !plot.contains(point))
        return -1;
    return qBound(0, int((point.x() - plot.left()) * double(n) / plot.width()), n - 1);
}

QColor ActivityChart::typeColor(int index)
{
    static const QColor colors[]
        = {QColor(0x3b, 0x76, 0xc4), QColor(0xe0, 0x8a, 0x2c), QColor(0x4c, 0xa8, 0x5a),
           QColor(0xc4, 0x4e, 0x52), QColor(0x84, 0x6d, 0xb8), QColor(0x2f, 0xa3, 0xa8)};
    if (index < 0)
        return QColor(0xa0, 0xa0, 0xa0);
    return colors[index % int(std::size(colors))];
}

QString ActivityChart::toolTipFor(int bucket) const
{
    if (bucket < 0 || bucket >= m_activity.buckets.size())
        return {};
    const ActivityBucket &b = m_activity.buckets.at(bucket);
    const QLocale locale;
    QStringList lines;
    lines << tr("%1 – %2").arg(
        JsonFormatter::displayTime(b.start),
        JsonFormatter::displayTime(b.start.addSecs(m_activity.bucketSeconds)));
    lines << (b.total == 1 ? tr("1 event") : tr("%1 events").arg(locale.toString(b.total)));
    for (int i = 0; i < m_activity.types.size(); ++i) {
        if (b.counts.value(i) > 0)
            lines << QStringLiteral("  %1: %2")
                         .arg(m_activity.types.at(i), locale.toString(b.counts.value(i)));
    }
    if (b.other > 0)
        lines << QStringLiteral("  %1: %2").arg(tr("other"), locale.toString(b.other));
    if (b.estimated)
        lines << tr("Types estimated from a sample; the total is exact");
    if (b.total > 0)
        lines << tr("Click to go to its first event");
    return lines.join(QLatin1Char('\n'));
}

void ActivityChart::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), palette().window());
    if (!m_expanded)
        return;
    const QRect plot = plotRect();
    p.fillRect(plot, palette().base());
    p.setPen(palette().mid().color());
    p.drawRect(plot.adjusted(0, 0, -1, -1));

    const QList<ActivityBucket> &buckets = m_activity.buckets;
    if (buckets.isEmpty()) {
        p.setPen(palette().placeholderText().color());
        QString text;
        if (!m_error.isEmpty())
            text = tr("Cannot show the activity: %1").arg(m_error);
        else if (m_token != 0)
            text = tr("Loading…");
        else if (m_worker->isConnected())
            text = m_stream.isEmpty() ? tr("No events yet") : tr("No events of %1").arg(m_stream);
        p.drawText(plot, Qt::AlignCenter | Qt::TextWordWrap, text);
        return;
    }
    qint64 most = 0;
    for (const ActivityBucket &b : buckets)
        most = qMax(most, b.total);
    // The scale: 0, half and the largest bar.
    const QFontMetrics fm(font());
    p.setPen(palette().text().color());
    for (int k = 0; k <= 2; ++k) {
        const int y = plot.bottom() - k * (plot.height() - 1) / 2;
        const qint64 value = most * k / 2;
        p.drawText(QRect(0, y - fm.height() / 2, kLeftMargin - 6, fm.height()),
                   Qt::AlignRight | Qt::AlignVCenter, compactCount(value));
        if (k > 0) {
            p.setPen(QPen(palette().midlight().color(), 1, Qt::DotLine));
            p.drawLine(plot.left() + 1, y, plot.right() - 1, y);
            p.setPen(palette().text().color());
        }
    }
    // The bars, stacked: the named types from the bottom, then the others.
    for (int i = 0; i < buckets.size(); ++i) {
        const ActivityBucket &b = buckets.at(i);
        const QRect column = barRect(i);
        if (i == m_hover)
            p.fillRect(column, palette().highlight().color().lighter(185));
        if (b.total == 0 || most == 0)
            continue;
        const int gap = column.width() > 4 ? 1 : 0;
        double base = plot.bottom() + 1;
        auto band = [&](qint64 count, const QColor &color) {
            if (count <= 0)
                return;
            const double h = double(count) * (plot.height() - 2) / double(most);
            const int top = int(std::floor(base - h));
            const int bottom = int(std::floor(base));
            // At least a pixel, so that a bar with a few events still shows.
            p.fillRect(QRect(column.left(), qMin(top, bottom - 1), column.width() - gap,
                             qMax(1, bottom - top)),
                       color);
            base -= h;
        };
        for (int t = 0; t < m_activity.types.size(); ++t)
            band(b.counts.value(t), typeColor(t));
        band(b.other, typeColor(-1));
        if (b.estimated && column.width() >= 6) {
            // A dotted top edge: this bar's types are an estimate.
            p.setPen(QPen(palette().text().color(), 1, Qt::DotLine));
            const int y = int(std::floor(base));
            p.drawLine(column.left(), y, column.right() - gap, y);
            p.setPen(palette().text().color());
        }
    }
    if (m_hover >= 0) {
        p.setPen(QPen(palette().highlight().color(), 1));
        p.drawRect(barRect(m_hover).adjusted(0, 0, -1, -1));
    }
    // The time axis: the first bar's start, the middle one's and the end.
    const QRect axis(plot.left(), plot.bottom() + 2, plot.width(), kAxisHeight - 2);
    p.setPen(palette().text().color());
    p.drawText(axis, Qt::AlignLeft | Qt::AlignVCenter,
               axisTime(buckets.first().start, m_activity.bucketSeconds));
    if (buckets.size() > 2)
        p.drawText(axis, Qt::AlignHCenter | Qt::AlignVCenter,
                   axisTime(buckets.at(buckets.size() / 2).start, m_activity.bucketSeconds));
    p.drawText(axis, Qt::AlignRight | Qt::AlignVCenter,
               axisTime(m_activity.end(), m_activity.bucketSeconds));
    // The legend.
    const QRect legend = legendRect();
    int x = legend.left();
    bool others = false;
    for (const ActivityBucket &b : buckets)
        others = others || b.other > 0;
    auto entry = [&](const QString &name, const QColor &color) {
        const int box = fm.height() - 6;
        if (x + box + 6 + fm.horizontalAdvance(name) > legend.right())
            return;
        p.fillRect(QRect(x, legend.top() + (legend.height() - box) / 2, box, box), color);
        x += box + 4;
        p.drawText(QRect(x, legend.top(), legend.right() - x, legend.height()),
                   Qt::AlignLeft | Qt::AlignVCenter, name);
        x += fm.horizontalAdvance(name) + 14;
    };
    for (int t = 0; t < m_activity.types.size(); ++t)
        entry(m_activity.types.at(t), typeColor(t));
    if (others)
        entry(tr("other"), typeColor(-1));
}

void ActivityChart::mousePressEvent(QMouseEvent *event)
{
    const int bucket = bucketAt(event->position().toPoint());
    if (event->button() == Qt::LeftButton && bucket >= 0) {
        emit bucketClicked(m_activity.buckets.at(bucket).start, m_activity.stream);
        event->accept();
        return;
    }
    QWidget::mousePressEvent(event);
}

void ActivityChart::mouseMoveEvent(QMouseEvent *event)
{
    const int bucket = bucketAt(event->position().toPoint());
    if (bucket != m_hover) {
        m_hover = bucket;
        setCursor(bucket >= 0 ? Qt::PointingHandCursor : Qt::ArrowCursor);
        update();
    }
    QWidget::mouseMoveEvent(event);
}

void ActivityChart::leaveEvent(QEvent *event)
{
    if (m_hover != -1) {
        m_hover = -1;
        update();
    }
    QWidget::leaveEvent(event);
}

bool ActivityChart::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const int bucket = bucketAt(help->pos());
        if (bucket >= 0)
            QToolTip::showText(help->globalPos(), toolTipFor(bucket), this, barRect(bucket));
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}

void ActivityChart::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    m_header->setGeometry(0, 0, width(), m_header->sizeHint().height());
}

void ActivityChart::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_stale)
        refresh();
}

} // namespace eventium::ui
