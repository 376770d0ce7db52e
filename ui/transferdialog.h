#pragma once

#include <eventium/cancellation.h>
#include <eventium/connectionoptions.h>
#include <eventium/transfer.h>
#include <eventium/types.h>

#include <QDialog>

#include <atomic>
#include <memory>
#include <optional>

class QButtonGroup;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;
class QSpinBox;

namespace eventium::ui {

// File > Export Events… and Import Events…: moves events between the store and a JSON-lines
// file (eventium/transfer.h, the CLI's format) on a thread and a connection of its own, with a
// progress bar and Cancel (which stops the statement running on the server); the window stays
// usable. Export: the open stream, a global range, or what the Live tab's filter selects.
// Import: what happens to the ids (keep: a re-import changes nothing; new), where the events
// go (the streams the file names, or one stream) and what the streams must be at first; the
// whole file is checked before anything is appended, and the result says what was written.
class TransferDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Mode { Export, Import };
    struct Context
    {
        ConnectionOptions options;
        QString schema;
        QString stream; // the stream open in the window, if any
        qint64 streamVersion = 0;
        qint64 head = 0;
        GlobalFilter liveFilter; // the Live tab's filter (empty: none)
        std::optional<RecordedEvent> selected; // the current tab's selected event
        bool readOnly = false;
    };

    TransferDialog(Mode mode, Context context, QWidget *parent = nullptr);
    ~TransferDialog() override;

    Mode mode() const { return m_mode; }
    QLineEdit *fileEdit() const { return m_file; }
    QPushButton *startButton() const { return m_start; }
    QProgressBar *progressBar() const { return m_progress; }
    QLabel *statusLabel() const { return m_status; }
    // Export: where from.
    QRadioButton *streamSource() const { return m_streamSource; }
    QRadioButton *rangeSource() const { return m_rangeSource; }
    QRadioButton *filterSource() const { return m_filterSource; }
    QRadioButton *selectedSource() const { return m_selectedSource; }
    QSpinBox *fromPosition() const { return m_from; }
    QSpinBox *toPosition() const { return m_to; }
    // Import: how.
    QComboBox *idMode() const { return m_ids; }
    QLineEdit *targetStream() const { return m_target; }
    QComboBox *expectedMode() const { return m_expected; }
    QSpinBox *expectedVersion() const { return m_expectedVersion; }

    bool isRunning() const { return m_running; }
    // The last run's outcome: true when it finished without an error or a cancel.
    bool succeeded() const { return m_succeeded; }
    // Starts (as the Export/Import button does); false when the form is not complete.
    bool start();
    // Cancels a running transfer (as Cancel does while it runs).
    void cancel();

    // Close: while a transfer runs, cancels it instead (the dialog stays open to say so).
    void reject() override;

signals:
    // A run ended: what it did, in a sentence (for the status bar).
    void finished(const QString &summary, bool ok);

private:
    struct Shared;
    void browse();
    void updateForm();
    void onProgress(const TransferProgress &progress);
    void onDone(bool ok, const QString &summary);

    Mode m_mode;
    Context m_context;
    QWidget *m_form = nullptr;
    QLineEdit *m_file = nullptr;
    QRadioButton *m_streamSource = nullptr;
    QRadioButton *m_rangeSource = nullptr;
    QRadioButton *m_filterSource = nullptr;
    QRadioButton *m_selectedSource = nullptr;
    QSpinBox *m_from = nullptr;
    QSpinBox *m_to = nullptr;
    QComboBox *m_ids = nullptr;
    QLineEdit *m_target = nullptr;
    QComboBox *m_expected = nullptr;
    QSpinBox *m_expectedVersion = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_start = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    Cancellation m_cancellation = Cancellation::none();
    bool m_running = false;
    bool m_succeeded = false;
};

} // namespace eventium::ui
