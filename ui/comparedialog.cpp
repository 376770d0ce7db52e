#include "comparedialog.h"

#include "backgroundtask.h"
#include "jsonformatter.h"

#include <eventium/toolkit/jsondiff.h>

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace eventium::ui {

namespace {

// A value as compact JSON on one line, cut to a readable length (the tooltip has it whole up to
// a limit); nothing for an absent one.
QString cellText(const QJsonValue &value, int limit)
{
    if (value.isUndefined())
        return {};
    QString text = QString::fromUtf8(toolkit::compactJson(value));
    if (text.size() > limit)
        text = text.left(limit) + QStringLiteral("…");
    return text;
}

QString eventLabel(const RecordedEvent &e)
{
    return QStringLiteral("%1 #%2 (%3)").arg(e.stream).arg(e.version.value).arg(e.type);
}

} // namespace

CompareDialog::CompareDialog(const RecordedEvent &before, const RecordedEvent &after,
                             QWidget *parent)
    : QDialog(parent)
    , m_title(new QLabel(this))
    , m_summary(new QLabel(tr("Comparing…"), this))
    , m_changes(new QTreeWidget(this))
{
    setObjectName(QStringLiteral("compareEvents"));
    setWindowTitle(tr("Compare Events"));
    m_title->setText(tr("From %1 to %2").arg(eventLabel(before), eventLabel(after)));
    m_title->setWordWrap(true);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_changes->setRootIsDecorated(false);
    m_changes->setUniformRowHeights(true);
    m_changes->setAlternatingRowColors(true);
    m_changes->setHeaderLabels({tr("Part"), tr("Path"), tr("Change"), tr("Before"), tr("After")});
    m_changes->header()->setSectionResizeMode(QHeaderView::Interactive);
    m_changes->setColumnWidth(PartColumn, 80);
    m_changes->setColumnWidth(PathColumn, 220);
    m_changes->setColumnWidth(ChangeColumn, 80);
    m_changes->setColumnWidth(BeforeColumn, 220);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_summary);
    layout->addWidget(m_changes, 1);
    layout->addWidget(buttons);
    resize(900, 520);

    runInBackground(
        this,
        [a = before, b = after] {
            Outcome outcome;
            auto payload = toolkit::jsonDiff(a.data, b.data);
            auto metadata = toolkit::jsonDiff(a.metadata, b.metadata);
            if (!payload || !metadata)
                outcome.error = (!payload ? payload.error() : metadata.error()).message();
            else {
                outcome.payload = *payload;
                outcome.metadata = *metadata;
            }
            return outcome;
        },
        [this](const Outcome &outcome) {
            m_comparing = false;
            show(outcome);
        });
}

// A diff still running when the dialog closes finishes on its own; its result is dropped.
CompareDialog::~CompareDialog() = default;

void CompareDialog::show(const Outcome &outcome)
{
    if (!outcome.error.isEmpty()) {
        m_summary->setText(tr("Cannot compare: %1").arg(outcome.error));
        return;
    }
    const qsizetype total = outcome.payload.size() + outcome.metadata.size();
    const QLocale locale;
    if (total == 0) {
        m_summary->setText(tr("Same payload and metadata"));
        return;
    }
    QList<QTreeWidgetItem *> items;
    const auto add = [&](const QList<toolkit::JsonChange> &changes, const QString &part) {
        for (const toolkit::JsonChange &c : changes) {
            if (items.size() >= kMaxRows)
                return;
            auto *item = new QTreeWidgetItem;
            item->setText(PartColumn, part);
            item->setText(PathColumn, c.path);
            item->setText(ChangeColumn, toolkit::kindName(c.kind));
            item->setText(BeforeColumn, cellText(c.before, 200));
            item->setText(AfterColumn, cellText(c.after, 200));
            item->setToolTip(BeforeColumn, cellText(c.before, 4000));
            item->setToolTip(AfterColumn, cellText(c.after, 4000));
            const QColor tint = c.kind == toolkit::JsonChange::Kind::Added ? QColor(0x2e7d32)
                : c.kind == toolkit::JsonChange::Kind::Removed             ? QColor(0xc62828)
                                                                           : QColor(0xef6c00);
            item->setForeground(ChangeColumn, tint);
            items.append(item);
        }
    };
    add(outcome.payload, tr("payload"));
    add(outcome.metadata, tr("metadata"));
    m_changes->addTopLevelItems(items);
    QString text = tr("%1 changes in the payload, %2 in the metadata")
                       .arg(locale.toString(outcome.payload.size()),
                            locale.toString(outcome.metadata.size()));
    if (total > kMaxRows)
        text += tr(" (the first %1 shown)").arg(locale.toString(kMaxRows));
    m_summary->setText(text);
}

} // namespace eventium::ui
