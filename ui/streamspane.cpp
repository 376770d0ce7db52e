#include "streamspane.h"

#include "eventtableview.h"
#include "rowmenutrigger.h"
#include "streamlistmodel.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QTimer>
#include <QVBoxLayout>

namespace eventium::ui {

StreamsPane::StreamsPane(StoreWorker *worker, QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 0, 6);
    layout->setSpacing(6);
    auto *filterRow = new QHBoxLayout;
    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("streamFilter"));
    m_filter->setPlaceholderText(tr("Filter streams by prefix (Ctrl+F)"));
    m_filter->setClearButtonEnabled(true);
    filterRow->addWidget(m_filter, 1);
    m_order = new QComboBox(this);
    m_order->setObjectName(QStringLiteral("streamOrder"));
    m_order->addItem(tr("By name"));
    m_order->addItem(tr("Recent first"));
    m_order->setToolTip(tr("Sort streams by name or by their latest event"));
    filterRow->addWidget(m_order);
    layout->addLayout(filterRow);

    m_model = new StreamListModel(worker, this);
    auto *table = new EventTableView(this);
    table->setObjectName(QStringLiteral("streams"));
    table->setModel(m_model);
    table->setTextElideMode(Qt::ElideRight);
    table->setColumnWidthsInChars({0, 7, 11}, StreamListModel::NameColumn);
    m_table = table;
    layout->addWidget(table, 1);
    m_count = new QLabel(this);
    m_count->setObjectName(QStringLiteral("streamsCount"));
    m_count->setContentsMargins(2, 0, 0, 0);
    layout->addWidget(m_count);

    m_filterTimer = new QTimer(this);
    m_filterTimer->setSingleShot(true);
    m_filterTimer->setInterval(250);
    connect(m_filter, &QLineEdit::textChanged, m_filterTimer, qOverload<>(&QTimer::start));
    connect(m_filterTimer, &QTimer::timeout, this, [this] {
        if (m_connected) {
            m_pending = m_selected;
            m_model->setPrefix(m_filter->text());
        }
    });
    connect(m_order, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_pending = m_selected; // selected again once listed
        m_model->setOrder(index == 1 ? StreamOrder::ByRecency : StreamOrder::ByName);
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &StreamsPane::onCurrentRowChanged);
    connect(m_model, &StreamListModel::pageLoaded, this, &StreamsPane::onPageLoaded);
    connect(m_filter, &QLineEdit::returnPressed, this, &StreamsPane::openFirstMatch);

    onRowMenuRequest(m_table, [this](int row) { openRowMenu(row); });
}

void StreamsPane::openRowMenu(int row)
{
    if (row < 0)
        row = m_table->currentIndex().row();
    if (row < 0 || row >= m_model->rowCount())
        return;
    if (row != m_table->currentIndex().row())
        m_table->selectRow(row); // opens it, as a click does
    const QString name = m_model->streamAt(row).name;
    if (m_menu)
        m_menu->close();
    m_menu = new QMenu(m_table);
    m_menu->setAttribute(Qt::WA_DeleteOnClose);
    m_menu->addAction(tr("&Open Stream"), this, [this, row] {
        if (row < m_model->rowCount())
            emit streamSelected(m_model->streamAt(row));
    });
    m_menu->addAction(tr("Copy Stream &Name"), this, [this, name] {
        QApplication::clipboard()->setText(name);
        emit copied(tr("Copied the stream name %1").arg(name));
    });
    m_menu->addSeparator();
    m_menu->addAction(tr("&Append Event to This Stream…"), this,
                      [this, name] { emit appendRequested(name); });
    m_menu->addAction(tr("Search &Live for This Stream"), this,
                      [this, name] { emit searchLiveRequested(name); });
    m_menu->addSeparator();
    const StreamInfo info = m_model->streamAt(row);
    m_menu->addAction(tr("Stream &Metadata…"), this,
                      [this, info] { emit metadataRequested(info); });
    m_menu->addAction(tr("&Truncate Stream…"), this,
                      [this, info] { emit truncateRequested(info); });
    m_menu->addAction(tr("&Delete Stream…"), this, [this, info] { emit deleteRequested(info); });
    const QRect rect = m_table->visualRect(m_model->index(row, 0));
    m_menu->popup(m_table->viewport()->mapToGlobal(QPoint(rect.left() + 24, rect.bottom())));
}

void StreamsPane::openFirstMatch()
{
    if (!m_connected)
        return;
    m_filterTimer->stop();
    if (m_model->prefix() != m_filter->text()) {
        // The list for what was typed is not there yet: ask for it now, open its first row
        // when it arrives.
        m_openFirst = true;
        m_model->setPrefix(m_filter->text());
        return;
    }
    if (m_model->rowCount() == 0) {
        m_openFirst = m_model->isLoading();
        return;
    }
    m_openFirst = false;
    m_table->setFocus();
    m_table->selectRow(0);
    m_table->scrollToTop();
}

void StreamsPane::setConnected(bool connected)
{
    m_connected = connected;
}

void StreamsPane::setOffline(bool offline)
{
    m_offline = offline;
    updateCount();
}

void StreamsPane::load()
{
    m_model->setPrefix(m_filter->text());
    m_model->reload();
}

void StreamsPane::reload()
{
    m_pending = m_selected;
    m_model->reload();
}

void StreamsPane::clear()
{
    m_selected.clear();
    m_totalStreams = -1;
    m_model->clear();
}

void StreamsPane::selectStream(const QString &name)
{
    m_selected = name;
    const int row = m_model->rowOf(name);
    if (row >= 0) {
        QSignalBlocker block(m_table->selectionModel());
        m_table->selectRow(row);
    } else {
        m_pending = name;
    }
}

void StreamsPane::applyLiveEvents(const QList<RecordedEvent> &events)
{
    m_model->applyLiveEvents(events);
}

void StreamsPane::setTotalStreams(qint64 total)
{
    if (total == m_totalStreams)
        return;
    m_totalStreams = total;
    updateCount();
}

void StreamsPane::focusFilter()
{
    m_filter->setFocus();
    m_filter->selectAll();
}

StreamOrder StreamsPane::order() const
{
    return m_order->currentIndex() == 1 ? StreamOrder::ByRecency : StreamOrder::ByName;
}

void StreamsPane::setOrder(StreamOrder order)
{
    m_order->setCurrentIndex(order == StreamOrder::ByRecency ? 1 : 0);
}

void StreamsPane::onCurrentRowChanged()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid())
        return;
    const StreamInfo info = m_model->streamAt(current.row());
    m_selected = info.name;
    emit streamSelected(info);
}

void StreamsPane::onPageLoaded()
{
    updateCount();
    if (m_openFirst) {
        m_openFirst = false;
        m_pending.clear();
        if (m_model->rowCount() > 0) {
            m_table->setFocus();
            m_table->selectRow(0);
            m_table->scrollToTop();
        }
        return;
    }
    if (m_pending.isEmpty())
        return;
    const int row = m_model->rowOf(m_pending);
    if (row < 0)
        return;
    m_pending.clear();
    QSignalBlocker block(m_table->selectionModel());
    m_table->selectRow(row);
    m_table->scrollTo(m_model->index(row, 0));
}

void StreamsPane::updateCount()
{
    const int n = m_model->rowCount();
    const bool more = m_model->hasMore();
    QString text;
    if (!m_model->prefix().isEmpty()) {
        text = (n == 1 ? tr("1 stream") : tr("%1 streams").arg(QLocale().toString(n)))
            + tr(" matching “%1”").arg(m_model->prefix());
        if (more)
            text += tr(", more below");
    } else if (more && m_totalStreams > n) {
        text = tr("%1 of %2 streams, more below")
                   .arg(QLocale().toString(n), QLocale().toString(m_totalStreams));
    } else if (more) {
        text = tr("%1 streams shown, more below").arg(QLocale().toString(n));
    } else {
        text = n == 1 ? tr("1 stream") : tr("%1 streams").arg(QLocale().toString(n));
    }
    if (m_offline)
        text += tr(" · server unreachable");
    m_count->setText(text);
    m_count->setStyleSheet(m_offline ? QStringLiteral("color: #c62828;") : QString());
}

} // namespace eventium::ui
