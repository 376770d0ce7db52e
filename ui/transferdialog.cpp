#include "transferdialog.h"

#include <eventium/store.h>

#include <QApplication>
#include <QButtonGroup>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSaveFile>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>

namespace eventium::ui {

namespace {

enum Expectation { ExpectAny, ExpectNoStream, ExpectExact };

QString number(qint64 n)
{
    return QLocale().toString(n);
}

QString describe(const GlobalFilter &f)
{
    QStringList parts;
    if (!f.types.isEmpty())
        parts << QObject::tr("types %1").arg(f.types.join(QStringLiteral(", ")));
    if (!f.where.isEmpty())
        parts << QObject::tr("where %1").arg(f.where);
    if (!f.text.isEmpty())
        parts << QObject::tr("text “%1”").arg(f.text);
    if (!f.streamContains.isEmpty())
        parts << QObject::tr("streams containing “%1”").arg(f.streamContains);
    if (!f.streamPrefix.isEmpty())
        parts << QObject::tr("streams starting “%1”").arg(f.streamPrefix);
    if (!f.stream.isEmpty())
        parts << QObject::tr("stream %1").arg(f.stream);
    return parts.join(QStringLiteral(", "));
}

// A store of the transfer's own, on the thread that runs it (its connections belong there).
std::unique_ptr<Store> openStore(const TransferDialog::Context &context)
{
    StoreSettings settings;
    settings.schema = context.schema;
    settings.poolSize = 2;
    settings.runSequencer = false;
    return std::make_unique<Store>(context.options, settings);
}

} // namespace

TransferDialog::TransferDialog(Mode mode, Context context, QWidget *parent)
    : QDialog(parent)
    , m_mode(mode)
    , m_context(std::move(context))
{
    const bool exporting = mode == Mode::Export;
    setObjectName(exporting ? QStringLiteral("exportEvents") : QStringLiteral("importEvents"));
    setWindowTitle(exporting ? tr("Export Events") : tr("Import Events"));
    setMinimumWidth(560);
    auto *layout = new QVBoxLayout(this);
    // The form, disabled as a whole while a transfer runs (its parts keep their own states).
    m_form = new QWidget(this);
    auto *form = new QFormLayout(m_form);
    form->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_form);

    auto *fileRow = new QHBoxLayout;
    m_file = new QLineEdit(this);
    m_file->setPlaceholderText(exporting ? tr("events.jsonl (one event a line)")
                                         : tr("a JSON-lines file, as Export or eventium read "
                                              "writes it"));
    auto *browseButton = new QPushButton(tr("&Browse…"), this);
    connect(browseButton, &QPushButton::clicked, this, &TransferDialog::browse);
    fileRow->addWidget(m_file, 1);
    fileRow->addWidget(browseButton);
    auto *fileLabel = new QLabel(tr("&File:"), this);
    fileLabel->setBuddy(m_file);
    form->addRow(fileLabel, fileRow);

    if (exporting) {
        auto *sources = new QButtonGroup(this);
        auto *box = new QVBoxLayout;
        m_streamSource
            = new QRadioButton(m_context.stream.isEmpty()
                                   ? tr("The open stream (none is open)")
                                   : tr("The stream %1 (up to version %2)")
                                         .arg(m_context.stream, number(m_context.streamVersion)),
                               this);
        m_streamSource->setEnabled(!m_context.stream.isEmpty());
        m_rangeSource = new QRadioButton(tr("The global sequence, by position:"), this);
        auto *range = new QHBoxLayout;
        m_from = new QSpinBox(this);
        m_from->setRange(1, std::numeric_limits<int>::max());
        m_from->setValue(1);
        m_to = new QSpinBox(this);
        m_to->setRange(0, std::numeric_limits<int>::max());
        m_to->setSpecialValueText(tr("the head"));
        m_to->setValue(0);
        range->addSpacing(24);
        range->addWidget(new QLabel(tr("from"), this));
        range->addWidget(m_from);
        range->addWidget(new QLabel(tr("to"), this));
        range->addWidget(m_to);
        range->addStretch();
        const QString filter = describe(m_context.liveFilter);
        m_filterSource = new QRadioButton(
            filter.isEmpty() ? tr("What the Live tab's filter selects (no filter set)")
                             : tr("What the Live tab's filter selects: %1").arg(filter),
            this);
        m_filterSource->setEnabled(!filter.isEmpty());
        const auto &sel = m_context.selected;
        m_selectedSource
            = new QRadioButton(sel ? tr("The selected event (%1 #%2, %3)")
                                         .arg(sel->stream, number(sel->version.value), sel->type)
                                   : tr("The selected event (none is selected)"),
                               this);
        m_selectedSource->setEnabled(sel.has_value());
        for (QRadioButton *b : {m_streamSource, m_rangeSource, m_filterSource, m_selectedSource}) {
            sources->addButton(b);
            box->addWidget(b);
            if (b == m_rangeSource)
                box->addLayout(range);
            connect(b, &QRadioButton::toggled, this, &TransferDialog::updateForm);
        }
        (m_context.stream.isEmpty() ? m_rangeSource : m_streamSource)->setChecked(true);
        form->addRow(tr("Events:"), box);
    } else {
        m_ids = new QComboBox(this);
        m_ids->addItem(tr("Keep them (importing again changes nothing)"), int(IdMode::Keep));
        m_ids->addItem(tr("New ids (copies)"), int(IdMode::New));
        form->addRow(tr("Event &ids:"), m_ids);
        m_target = new QLineEdit(this);
        m_target->setPlaceholderText(tr("empty: the stream each line names"));
        form->addRow(tr("Into &stream:"), m_target);
        auto *expectedRow = new QHBoxLayout;
        m_expected = new QComboBox(this);
        m_expected->addItem(tr("Any version"), ExpectAny);
        m_expected->addItem(tr("No stream yet"), ExpectNoStream);
        m_expected->addItem(tr("Exactly version"), ExpectExact);
        m_expectedVersion = new QSpinBox(this);
        m_expectedVersion->setRange(0, std::numeric_limits<int>::max());
        expectedRow->addWidget(m_expected);
        expectedRow->addWidget(m_expectedVersion);
        expectedRow->addStretch();
        auto *expectedLabel = new QLabel(tr("Each stream at &first:"), this);
        expectedLabel->setBuddy(m_expected);
        form->addRow(expectedLabel, expectedRow);
        connect(m_expected, &QComboBox::currentIndexChanged, this, &TransferDialog::updateForm);
        auto *note = new QLabel(
            tr("The whole file is checked first: a bad line imports nothing. Up to 1,000 "
               "events are one transaction; a longer file goes in batches of 1,000, and "
               "importing it again with its ids kept adds only what is missing."),
            this);
        note->setWordWrap(true);
        note->setObjectName(QStringLiteral("importNote"));
        layout->addWidget(note);
    }

    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setTextVisible(true);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("transferStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_start = m_buttons->addButton(exporting ? tr("&Export") : tr("&Import"),
                                   QDialogButtonBox::AcceptRole);
    m_start->setDefault(true);
    connect(m_start, &QPushButton::clicked, this, [this] { start(); });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &TransferDialog::reject);
    layout->addWidget(m_buttons);
    connect(m_file, &QLineEdit::textChanged, this, &TransferDialog::updateForm);
    if (!exporting && m_context.readOnly)
        m_status->setText(tr("This connection cannot append: importing is not possible."));
    updateForm();
}

TransferDialog::~TransferDialog()
{
    if (m_running)
        m_cancellation.cancel(); // the job finds the dialog gone and only stops
}

void TransferDialog::browse()
{
    const QString path = m_mode == Mode::Export
        ? QFileDialog::getSaveFileName(this, tr("Export Events To"), m_file->text(),
                                       tr("JSON lines (*.jsonl *.ndjson);;All files (*)"))
        : QFileDialog::getOpenFileName(this, tr("Import Events From"), m_file->text(),
                                       tr("JSON lines (*.jsonl *.ndjson *.json);;All files (*)"));
    if (!path.isEmpty())
        m_file->setText(path);
}

void TransferDialog::updateForm()
{
    if (!m_start)
        return; // still being built
    if (m_from) {
        m_from->setEnabled(m_rangeSource->isChecked());
        m_to->setEnabled(m_rangeSource->isChecked());
    }
    if (m_expectedVersion)
        m_expectedVersion->setEnabled(m_expected->currentData().toInt() == ExpectExact);
    const bool importBlocked = m_mode == Mode::Import && m_context.readOnly;
    m_start->setEnabled(!m_running && !m_file->text().trimmed().isEmpty() && !importBlocked);
    m_form->setEnabled(!m_running);
    if (QPushButton *close = m_buttons->button(QDialogButtonBox::Close))
        close->setText(m_running ? tr("&Cancel") : tr("Close"));
}

bool TransferDialog::start()
{
    const QString path = m_file->text().trimmed();
    if (m_running || path.isEmpty() || (m_mode == Mode::Import && m_context.readOnly))
        return false;
    m_cancellation = Cancellation();
    m_running = true;
    m_succeeded = false;
    m_progress->setRange(0, 0); // busy until the first report says how far
    m_status->setText(m_mode == Mode::Export ? tr("Exporting…") : tr("Checking the file…"));
    updateForm();

    // The job reports back through the dialog's event queue; a dialog closed meanwhile
    // (QPointer) gets nothing, and its destructor has cancelled the job.
    QPointer<TransferDialog> self(this);
    auto report = [self](const TransferProgress &p) {
        QMetaObject::invokeMethod(
            qApp,
            [self, p] {
                if (self)
                    self->onProgress(p);
            },
            Qt::QueuedConnection);
    };
    auto done = [self](bool ok, const QString &summary) {
        QMetaObject::invokeMethod(
            qApp,
            [self, ok, summary] {
                if (self)
                    self->onDone(ok, summary);
            },
            Qt::QueuedConnection);
    };
    const Context context = m_context;
    const Cancellation cancellation = m_cancellation;
    QThread *thread = nullptr;
    if (m_mode == Mode::Export) {
        ExportOptions options;
        if (m_streamSource->isChecked()) {
            options.stream = context.stream;
        } else if (m_rangeSource->isChecked()) {
            options.from = m_from->value();
            options.to = m_to->value();
        } else if (m_selectedSource->isChecked()) {
            options.stream = context.selected->stream;
            options.from = context.selected->version.value;
            options.to = context.selected->version.value;
        } else {
            options.filter = context.liveFilter;
        }
        options.progress = report;
        thread = QThread::create([=] {
            auto store = openStore(context);
            QSaveFile file(path);
            if (!file.open(QIODevice::WriteOnly)) {
                done(false, tr("Cannot write %1: %2").arg(path, file.errorString()));
                return;
            }
            auto result = exportEvents(*store, file, options, cancellation);
            if (!result) {
                file.cancelWriting();
                done(false,
                     result.error().kind() == StoreError::Kind::Cancelled
                         ? tr("Export cancelled; %1 was not written").arg(path)
                         : tr("Export failed: %1").arg(result.error().message()));
                return;
            }
            if (!file.commit()) {
                done(false, tr("Cannot write %1: %2").arg(path, file.errorString()));
                return;
            }
            done(true,
                 tr("Exported %1 events (%2 bytes) to %3")
                     .arg(number(result->events), number(result->bytes), path));
        });
    } else {
        ImportOptions options;
        options.ids = IdMode(m_ids->currentData().toInt());
        options.stream = m_target->text().trimmed();
        switch (m_expected->currentData().toInt()) {
        case ExpectNoStream:
            options.expected = ExpectedVersion::noStream();
            break;
        case ExpectExact:
            options.expected = ExpectedVersion::exact(m_expectedVersion->value());
            break;
        default:
            options.expected = ExpectedVersion::any();
        }
        options.progress = report;
        thread = QThread::create([=] {
            QFile file(path);
            if (!file.open(QIODevice::ReadOnly)) {
                done(false, tr("Cannot read %1: %2").arg(path, file.errorString()));
                return;
            }
            auto store = openStore(context);
            const ImportResult r = importEvents(*store, file, options, cancellation);
            if (r.ok()) {
                const QString into = r.streams.size() == 1
                    ? r.streams.first().stream
                    : tr("%1 streams").arg(number(r.streams.size()));
                done(true,
                     r.alreadyThere > 0
                         ? tr("Imported %1 events into %2 (%3 were there already)")
                               .arg(number(r.appended), into, number(r.alreadyThere))
                         : tr("Imported %1 events into %2").arg(number(r.appended), into));
                return;
            }
            QString why = r.message.isEmpty() ? r.error.message() : r.message;
            if (r.status == ImportResult::Status::InvalidInput)
                why = tr("Nothing was imported: %1").arg(why);
            else if (r.appended > 0 || r.alreadyThere > 0)
                why = tr("%1 (%2 events were written before it; import the file again with "
                         "its ids kept to add the rest)")
                          .arg(why, number(r.appended));
            done(false,
                 r.error.kind() == StoreError::Kind::Cancelled
                     ? tr("Import cancelled after %1 events").arg(number(r.appended))
                     : why);
        });
    }
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    thread->start();
    return true;
}

void TransferDialog::onProgress(const TransferProgress &p)
{
    if (!m_running)
        return;
    if (p.end > 0) {
        // QProgressBar takes ints: scale big ranges down.
        const double fraction = double(qMin(p.reached, p.end)) / double(p.end);
        m_progress->setRange(0, 1000);
        m_progress->setValue(int(fraction * 1000));
    }
    m_status->setText(m_mode == Mode::Export
                          ? tr("Exported %1 events (up to %2 of %3)")
                                .arg(number(p.events), number(p.reached), number(p.end))
                          : tr("Imported %1 events (line %2 of %3)")
                                .arg(number(p.events), number(p.reached), number(p.end)));
}

void TransferDialog::onDone(bool ok, const QString &summary)
{
    m_running = false;
    m_succeeded = ok;
    m_progress->setRange(0, 1000);
    m_progress->setValue(ok ? 1000 : m_progress->value());
    m_status->setText(summary);
    updateForm();
    emit finished(summary, ok);
}

void TransferDialog::cancel()
{
    if (!m_running)
        return;
    m_status->setText(tr("Cancelling…"));
    // cancel() asks the server to stop the statement, which can take as long as connecting.
    QThread *canceller = QThread::create([token = m_cancellation]() mutable { token.cancel(); });
    connect(canceller, &QThread::finished, canceller, &QObject::deleteLater);
    canceller->start();
}

void TransferDialog::reject()
{
    if (m_running) {
        cancel();
        return;
    }
    QDialog::reject();
}

} // namespace eventium::ui
