#include "stateview.h"

#include "jsonpane.h"

#include <eventium/toolkit/projectionregistry.h>

#include <QAction>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QStyle>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace eventium::ui {

namespace {

QString cut(const QString &text, int limit)
{
    return text.size() > limit ? text.left(limit) + QStringLiteral("…") : text;
}

} // namespace

StateView::StateView(StoreWorker *worker, QWidget *parent)
    : QWidget(parent)
    , m_worker(worker)
{
    setObjectName(QStringLiteral("stateView"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->setSpacing(4);

    // The stepper: ◀ Version 3 of 25 ▶, and the projection's name.
    auto *stepper = new QHBoxLayout;
    stepper->setContentsMargins(4, 0, 4, 0);
    m_previousAction
        = new QAction(style()->standardIcon(QStyle::SP_ArrowLeft), tr("Previous"), this);
    m_previousAction->setObjectName(QStringLiteral("statePrevious"));
    m_previousAction->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Left));
    m_previousAction->setToolTip(tr("The state after the previous version (Alt+Left)"));
    m_nextAction = new QAction(style()->standardIcon(QStyle::SP_ArrowRight), tr("Next"), this);
    m_nextAction->setObjectName(QStringLiteral("stateNext"));
    m_nextAction->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Right));
    m_nextAction->setToolTip(tr("The state after the next version (Alt+Right)"));
    connect(m_previousAction, &QAction::triggered, this, [this] {
        if (!m_stream.isEmpty() && m_version > 1)
            emit stepRequested(m_version - 1);
    });
    connect(m_nextAction, &QAction::triggered, this, [this] {
        if (!m_stream.isEmpty() && m_version < m_streamVersion)
            emit stepRequested(m_version + 1);
    });
    m_previous = new QToolButton(this);
    m_previous->setDefaultAction(m_previousAction);
    m_previous->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_previous->setAutoRaise(true);
    m_next = new QToolButton(this);
    m_next->setDefaultAction(m_nextAction);
    m_next->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_next->setAutoRaise(true);
    m_versionLabel = new QLabel(this);
    m_versionLabel->setObjectName(QStringLiteral("stateVersion"));
    m_versionLabel->setAlignment(Qt::AlignCenter);
    m_versionLabel->setMinimumWidth(
        fontMetrics().horizontalAdvance(tr("Version 000000 of 000000")));
    m_projectionLabel = new QLabel(this);
    m_projectionLabel->setObjectName(QStringLiteral("stateProjection"));
    m_projectionLabel->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_projectionLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    stepper->addWidget(m_previous);
    stepper->addWidget(m_versionLabel);
    stepper->addWidget(m_next);
    stepper->addStretch(1);
    stepper->addWidget(m_projectionLabel);
    layout->addLayout(stepper);

    m_progressRow = new QWidget(this);
    auto *progress = new QHBoxLayout(m_progressRow);
    progress->setContentsMargins(4, 0, 4, 0);
    m_progress = new QProgressBar(m_progressRow);
    m_progress->setObjectName(QStringLiteral("stateProgress"));
    m_cancel = new QPushButton(tr("Cancel"), m_progressRow);
    m_cancel->setObjectName(QStringLiteral("stateCancel"));
    m_cancel->setToolTip(tr("Stop folding the stream"));
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        const qint64 reached = m_progress->value();
        cancelRunning();
        showMessage(tr("Cancelled at version %1 of %2.")
                        .arg(QLocale().toString(reached), QLocale().toString(m_version)));
    });
    progress->addWidget(m_progress, 1);
    progress->addWidget(m_cancel);
    m_progressRow->hide();
    layout->addWidget(m_progressRow);

    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("stateMessage"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->setContentsMargins(6, 6, 6, 6);
    m_message->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    layout->addWidget(m_message);

    m_body = new QWidget(this);
    auto *body = new QVBoxLayout(m_body);
    body->setContentsMargins(0, 0, 0, 0);
    auto *splitter = new QSplitter(Qt::Vertical, m_body);
    splitter->setChildrenCollapsible(false);
    auto *stateBox = new QWidget(splitter);
    auto *stateLayout = new QVBoxLayout(stateBox);
    stateLayout->setContentsMargins(0, 0, 0, 0);
    stateLayout->setSpacing(2);
    m_stateLabel = new QLabel(stateBox);
    m_stateLabel->setObjectName(QStringLiteral("stateLabel"));
    m_stateLabel->setContentsMargins(4, 0, 4, 0);
    m_stateLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_state = new JsonPane(QStringLiteral("state"), stateBox);
    m_state->setObjectName(QStringLiteral("statePane"));
    stateLayout->addWidget(m_stateLabel);
    stateLayout->addWidget(m_state, 1);
    auto *changesBox = new QWidget(splitter);
    auto *changesLayout = new QVBoxLayout(changesBox);
    changesLayout->setContentsMargins(0, 0, 0, 0);
    changesLayout->setSpacing(2);
    m_changesLabel = new QLabel(changesBox);
    m_changesLabel->setObjectName(QStringLiteral("stateChangesLabel"));
    m_changesLabel->setContentsMargins(4, 0, 4, 0);
    m_changesLabel->setWordWrap(true);
    m_changes = new QTreeWidget(changesBox);
    m_changes->setObjectName(QStringLiteral("stateChanges"));
    m_changes->setRootIsDecorated(false);
    m_changes->setUniformRowHeights(true);
    m_changes->setAlternatingRowColors(true);
    m_changes->setHeaderLabels({tr("Path"), tr("Change"), tr("Before"), tr("After")});
    m_changes->header()->setSectionResizeMode(QHeaderView::Interactive);
    m_changes->setColumnWidth(PathColumn, 160);
    m_changes->setColumnWidth(ChangeColumn, 70);
    m_changes->setColumnWidth(BeforeColumn, 140);
    changesLayout->addWidget(m_changesLabel);
    changesLayout->addWidget(m_changes, 1);
    splitter->addWidget(stateBox);
    splitter->addWidget(changesBox);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    body->addWidget(splitter);
    layout->addWidget(m_body, 1);

    connect(m_worker, &StoreWorker::stateProgress, this, &StateView::onProgress);
    connect(m_worker, &StoreWorker::stateReady, this, &StateView::onReady);
    connect(m_worker, &StoreWorker::failed, this, &StateView::onFailed);
    setEvent(std::nullopt);
}

StateView::~StateView()
{
    cancelRunning();
}

void StateView::setEvent(const std::optional<RecordedEvent> &event)
{
    if (!event) {
        cancelRunning();
        m_stream.clear();
        m_version = 0;
        m_pending = false;
        clearResult();
        showMessage(tr("Select an event of a stream to see the state after it."));
        updateStepper();
        return;
    }
    showVersion(event->stream, event->version.value);
}

void StateView::showVersion(const QString &stream, qint64 version)
{
    if (stream == m_stream && version == m_version && (m_token != 0 || m_shownVersion == version))
        return; // that one is shown, or on its way
    cancelRunning();
    if (stream != m_stream) {
        m_haveStream.clear();
        m_haveVersion = 0;
        m_haveState = QJsonValue();
    }
    m_stream = stream;
    m_version = version;
    m_streamVersion = qMax(m_streamVersion, version);
    updateStepper();
    const auto projection = toolkit::ProjectionRegistry::global().forStream(stream);
    if (!projection) {
        m_pending = false;
        clearResult();
        const QString category = toolkit::streamCategory(stream);
        showMessage(
            category.isEmpty()
                ? tr("No projection: \"%1\" has no category (no '-' in its name).").arg(stream)
                : tr("No projection registered for category \"%1\".").arg(category));
        m_projectionLabel->clear();
        return;
    }
    m_projectionLabel->setText(tr("Projection: %1").arg(projection->name));
    m_pending = true;
    if (isVisible())
        compute();
}

void StateView::setStreamVersion(qint64 version)
{
    m_streamVersion = version;
    updateStepper();
}

void StateView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_pending)
        compute();
}

void StateView::compute()
{
    m_pending = false;
    m_cancellation = Cancellation();
    m_from = m_haveStream == m_stream && m_haveVersion > 0 && m_haveVersion < m_version
        ? m_haveVersion
        : 0;
    m_token = m_worker->stateAt(m_stream, m_version, m_from,
                                m_from > 0 ? m_haveState : QJsonValue(), m_cancellation);
    m_progress->setRange(int(qMin<qint64>(m_from, INT_MAX)), int(qMin<qint64>(m_version, INT_MAX)));
    m_progress->setValue(int(qMin<qint64>(m_from, INT_MAX)));
    setProgressText(m_from);
    // Short folds answer before the bar would only flicker.
    if (m_version - m_from > 2000)
        m_progressRow->show();
    // With a state on screen the bar says enough; its label says which version it is after.
    if (m_body->isHidden())
        showMessage(tr("Computing the state after version %1…").arg(QLocale().toString(m_version)));
}

void StateView::cancelRunning()
{
    if (m_token == 0)
        return;
    StoreWorker::cancel(m_cancellation);
    m_token = 0;
    m_progressRow->hide();
}

void StateView::onProgress(quint64 token, qint64 reached)
{
    if (token != m_token)
        return;
    m_progress->setValue(int(qMin<qint64>(reached, INT_MAX)));
    setProgressText(reached);
    m_progressRow->show();
}

void StateView::setProgressText(qint64 reached)
{
    const QLocale locale;
    m_progress->setFormat(tr("Folding %1: version %2 of %3")
                              .arg(m_stream, locale.toString(reached), locale.toString(m_version)));
}

void StateView::onReady(quint64 token, const StateResult &result)
{
    if (token != m_token)
        return;
    m_token = 0;
    m_progressRow->hide();
    m_haveStream = result.stream;
    m_haveVersion = result.version;
    m_haveState = result.stateValue;
    if (result.version == 0 || !result.hasEvent) {
        clearResult();
        showMessage(tr("%1 has no event at version %2.").arg(m_stream).arg(m_version));
        return;
    }
    m_shownVersion = result.version;
    m_streamVersion = qMax(m_streamVersion, result.version);
    const QLocale locale;
    m_message->hide();
    m_body->show();
    const QString events = result.read == 1
        ? tr("1 event folded")
        : tr("%1 events folded").arg(locale.toString(result.read));
    const qint64 start = result.startedAfter;
    const QString from = result.snapshot > 0
        ? tr("from the snapshot at version %1: %2").arg(locale.toString(start), events)
        : start > 0 ? tr("from version %1: %2").arg(locale.toString(start), events)
                    : events;
    m_stateLabel->setText(tr("<b>State after version %1</b> (%2)")
                              .arg(locale.toString(result.version), from.toHtmlEscaped()));
    m_state->setJson(result.state);
    m_changes->clear();
    QList<QTreeWidgetItem *> items;
    for (const StateResult::Change &c : result.changes) {
        if (items.size() >= kMaxRows)
            break;
        auto *item = new QTreeWidgetItem;
        item->setText(PathColumn, c.path);
        item->setText(ChangeColumn, c.kind);
        item->setText(BeforeColumn, cut(c.before, 200));
        item->setText(AfterColumn, cut(c.after, 200));
        item->setToolTip(BeforeColumn, cut(c.before, 4000));
        item->setToolTip(AfterColumn, cut(c.after, 4000));
        const QColor tint = c.kind == QLatin1String("added") ? QColor(0x2e7d32)
            : c.kind == QLatin1String("removed")             ? QColor(0xc62828)
                                                             : QColor(0xef6c00);
        item->setForeground(ChangeColumn, tint);
        items.append(item);
    }
    m_changes->addTopLevelItems(items);
    const QString event = tr("%1 #%2").arg(result.event.type).arg(result.version);
    QString text = result.changes.isEmpty()
        ? tr("<b>%1</b> changed nothing in the state").arg(event.toHtmlEscaped())
        : result.changes.size() == 1
        ? tr("<b>What %1 changed</b>: 1 path").arg(event.toHtmlEscaped())
        : tr("<b>What %1 changed</b>: %2 paths")
              .arg(event.toHtmlEscaped(), locale.toString(result.changes.size()));
    if (result.changes.size() > kMaxRows)
        text += tr(" (the first %1 shown)").arg(locale.toString(kMaxRows));
    m_changesLabel->setText(text);
    updateStepper();
}

void StateView::onFailed(quint64 token, const StoreError &error)
{
    if (token != m_token)
        return;
    m_token = 0;
    m_progressRow->hide();
    clearResult();
    showMessage(error.kind() == StoreError::Kind::Cancelled
                    ? tr("Cancelled.")
                    : tr("Cannot compute the state after version %1: %2")
                          .arg(m_version)
                          .arg(error.message()));
}

void StateView::showMessage(const QString &text)
{
    m_message->setText(text);
    // Alone, it takes the page's height so the rows above stay on top; above a state, a line.
    m_message->setSizePolicy(QSizePolicy::Preferred,
                             m_body->isHidden() ? QSizePolicy::Expanding : QSizePolicy::Preferred);
    m_message->show();
}

void StateView::clearResult()
{
    m_shownVersion = 0;
    m_body->hide();
    m_state->clear();
    m_changes->clear();
    m_changesLabel->clear();
    m_stateLabel->clear();
}

void StateView::updateStepper()
{
    const bool any = !m_stream.isEmpty() && m_version > 0;
    m_versionLabel->setText(
        any ? tr("Version %1 of %2")
                  .arg(QLocale().toString(m_version), QLocale().toString(m_streamVersion))
            : QString());
    m_previousAction->setEnabled(any && m_version > 1);
    m_nextAction->setEnabled(any && m_version < m_streamVersion);
}

} // namespace eventium::ui
