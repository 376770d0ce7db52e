#include "searchbox.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QShortcut>
#include <QToolButton>

namespace eventium::ui {

SearchBox::SearchBox(const QList<Mode> &modes, QWidget *shortcutScope, QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(8);
    m_mode = new QComboBox(this);
    m_mode->setObjectName(QStringLiteral("searchMode"));
    QStringList help;
    for (Mode mode : modes) {
        switch (mode) {
        case SearchWhere:
            m_mode->addItem(tr("Where"), mode);
            help << tr("Where: customerId = 42, customer.name = \"Ann\", total > 100, "
                       "$.items[*].sku == \"A-1\"");
            break;
        case SearchText:
            m_mode->addItem(tr("Text"), mode);
            help << tr("Text: anywhere in the payload");
            break;
        case SearchStream:
            m_mode->addItem(tr("Stream"), mode);
            help << tr("Stream: part of the stream name");
            break;
        }
    }
    m_mode->setToolTip(help.join(QLatin1Char('\n')));
    layout->addWidget(m_mode);
    m_edit = new QLineEdit(this);
    m_edit->setObjectName(QStringLiteral("search"));
    m_edit->setPlaceholderText(tr("Search, e.g. customerId = 42 (Enter)"));
    m_edit->setClearButtonEnabled(true);
    connect(m_edit, &QLineEdit::returnPressed, this, &SearchBox::submitted);
    connect(m_edit, &QLineEdit::textChanged, this, [this](const QString &text) {
        if (text.isEmpty())
            emit submitted(); // the clear button ends the search
    });
    connect(m_mode, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_edit->text().isEmpty())
            emit submitted();
    });
    layout->addWidget(m_edit, 1);
    m_stop = new QToolButton(this);
    m_stop->setObjectName(QStringLiteral("stopSearch"));
    m_stop->setText(tr("Stop"));
    m_stop->setToolTip(tr("Stop searching (Esc)"));
    m_stop->setAutoRaise(true);
    m_stop->hide();
    connect(m_stop, &QToolButton::clicked, this, &SearchBox::stopRequested);
    layout->addWidget(m_stop);
    auto *escape = new QShortcut(QKeySequence(Qt::Key_Escape), shortcutScope);
    escape->setContext(Qt::WidgetWithChildrenShortcut);
    connect(escape, &QShortcut::activated, this, &SearchBox::stopRequested);
}

void SearchBox::setSearch(Mode mode, const QString &text)
{
    m_mode->blockSignals(true);
    m_mode->setCurrentIndex(m_mode->findData(mode));
    m_mode->blockSignals(false);
    m_edit->blockSignals(true);
    m_edit->setText(text);
    m_edit->blockSignals(false);
    emit submitted();
}

SearchBox::Mode SearchBox::mode() const
{
    return Mode(m_mode->currentData().toInt());
}

bool SearchBox::fill(GlobalFilter &filter, QString *error)
{
    const QString search = m_edit->text().trimmed();
    m_edit->setStyleSheet(QString());
    if (search.isEmpty())
        return true;
    switch (mode()) {
    case SearchWhere:
        if (!SearchExpression::parse(search, error)) {
            m_edit->setStyleSheet(QStringLiteral("border: 1px solid #c62828;"));
            return false;
        }
        filter.where = search;
        break;
    case SearchText:
        filter.text = search;
        break;
    case SearchStream:
        filter.streamContains = search;
        break;
    }
    return true;
}

void SearchBox::clearSilently()
{
    m_edit->blockSignals(true);
    m_edit->clear();
    m_edit->setStyleSheet(QString());
    m_edit->blockSignals(false);
}

void SearchBox::setSearching(bool searching)
{
    m_stop->setVisible(searching);
}

} // namespace eventium::ui
