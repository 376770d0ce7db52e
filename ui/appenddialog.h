#pragma once

#include "storemetatypes.h"

#include <QDialog>
#include <QTextCursor>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QStringListModel;
class QTimer;

namespace eventium::ui {

class StoreWorker;
class TextSlicer;

// Appends a test event: stream (existing or new, with completion), type, payload and
// metadata JSON checked as you type (the parse error with its line and column; Append
// disabled while invalid), and the expected version (any / no stream / exists / exact,
// prefilled with the stream's current version). The append runs in the worker; conflicts
// and errors are shown in the dialog, which closes only on success.
class AppendDialog : public QDialog
{
    Q_OBJECT
public:
    enum ExpectedMode { ExpectAny, ExpectNoStream, ExpectExists, ExpectExact };

    AppendDialog(StoreWorker *worker, const QStringList &knownStreams, const QString &stream,
                 QWidget *parent = nullptr);

    QComboBox *streamCombo() const { return m_stream; }
    QLineEdit *typeEdit() const { return m_type; }
    QPlainTextEdit *payloadEdit() const { return m_payload; }
    QPlainTextEdit *metadataEdit() const { return m_metadata; }
    QLabel *payloadError() const { return m_payloadError; }
    QLabel *metadataError() const { return m_metadataError; }
    QComboBox *expectedMode() const { return m_expectedMode; }
    QSpinBox *expectedVersion() const { return m_expectedVersion; }
    QLabel *statusLabel() const { return m_status; }
    QPushButton *appendButton() const { return m_ok; }
    // Whether the stream's current version has been looked up since the name last changed.
    bool isVersionKnown() const { return m_versionKnown; }
    // Whether the JSON is being checked off the UI thread (big documents), or a long paste is
    // still going in.
    bool isCheckingJson() const { return m_jsonChecking; }

    // JSON up to this many characters (payload and metadata) is checked as it is typed;
    // more is checked off the UI thread when typing pauses.
    static constexpr qsizetype kSyncJsonChars = 32 * 1024;

    ExpectedVersion expected() const;
    // Fills in a type, a payload and metadata (indented off the UI thread, put in a slice at
    // a time), as for duplicating an event; the stream's version stays the expectation.
    void prefill(const QString &type, const QByteArray &payload, const QByteArray &metadata);
    // Empty when valid; otherwise a message with the line and column of the parse error.
    static QString jsonError(const QString &text, bool allowEmpty);

signals:
    void appended(const eventium::AppendResult &result, const QString &stream);

public slots:
    void accept() override;

private:
    void validate();
    void checkJson();
    void pasteFormatted(QPlainTextEdit *edit, const QString &text);
    void startJsonCheck();
    // The pasted text, formatted, goes into the editor a slice at a time.
    void insertPasted(const QString &formatted);
    void lookUpStream();
    void onStreamInfo(quint64 token, const QString &stream, bool exists, const StreamInfo &info);
    void onAppended(quint64 token, const AppendResult &result);
    void onFailed(quint64 token, const StoreError &error);
    void showStatus(const QString &text, bool error);
    void clearOutcome();

    StoreWorker *m_worker;
    QComboBox *m_stream;
    QStringListModel *m_completions;
    QLineEdit *m_type;
    QPlainTextEdit *m_payload;
    QLabel *m_payloadError;
    QPlainTextEdit *m_metadata;
    QLabel *m_metadataError;
    QComboBox *m_expectedMode;
    QSpinBox *m_expectedVersion;
    QLabel *m_streamHint;
    QLabel *m_status;
    QPushButton *m_ok;
    QTimer *m_lookupTimer;
    struct JsonCheck
    {
        quint64 generation = 0;
        QString payload;
        QString metadata;
    };
    QTimer *m_jsonTimer;
    quint64 m_jsonGeneration = 0;
    qsizetype m_jsonChars = 0;
    bool m_jsonChecking = false;
    QString m_payloadWhy;
    // A long paste on its way in: indented off the UI thread, then put in by slices.
    QPlainTextEdit *m_pasteTarget = nullptr;
    TextSlicer *m_pasteSlicer = nullptr;
    QTextCursor m_pasteCursor;
    qsizetype m_pasteChars = 0;
    QString m_metadataWhy;
    quint64 m_infoToken = 0;
    quint64 m_listToken = 0;
    quint64 m_appendToken = 0;
    bool m_versionKnown = false;
};

} // namespace eventium::ui
