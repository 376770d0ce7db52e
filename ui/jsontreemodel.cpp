#include "jsontreemodel.h"

#include "jsonformatter.h"

#include <QStringDecoder>
#include <QStringList>

#include <algorithm>
#include <array>
#include <cstring>

namespace eventium::ui {

namespace {

using Kind = JsonTreeModel::Kind;

constexpr QChar ellipsis(0x2026);

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

bool isHexDigit(char c)
{
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int hexValue(char c)
{
    if (isDigit(c))
        return c - '0';
    return (c | 0x20) - 'a' + 10;
}

qsizetype skipSpace(const char *b, qsizetype pos, qsizetype size)
{
    while (pos < size && isSpace(b[pos]))
        ++pos;
    return pos;
}

// The bytes a skip over a container stops at; everything else is stepped over in a tight loop.
constexpr std::array<bool, 256> structuralBytes = [] {
    std::array<bool, 256> table {};
    for (const unsigned char c : {'"', '{', '[', '}', ']'})
        table[c] = true;
    return table;
}();

// The scans below run on text that Validator accepted, so strings are terminated and brackets
// balanced: they need no bounds checks beyond finding what they know is there.

// `pos` is at the opening quote; returns the position after the closing quote. Most strings
// are short keys and values, stepped over byte by byte; past that, the quote is found with
// memchr and is a closing one when an even number of backslashes precede it, so a long string
// costs one memchr rather than a loop over its bytes.
qsizetype skipString(const char *b, qsizetype pos, qsizetype size)
{
    const qsizetype open = pos;
    const qsizetype shortEnd = std::min(size, open + 64);
    for (pos = open + 1; pos < shortEnd;) {
        const char c = b[pos];
        if (c == '"')
            return pos + 1;
        pos += c == '\\' ? 2 : 1;
    }
    for (pos = std::min(pos, size - 1);;) {
        const auto *quote = static_cast<const char *>(std::memchr(b + pos, '"', size - pos));
        const qsizetype at = quote - b;
        qsizetype backslashes = 0;
        while (at - backslashes - 1 > open && b[at - backslashes - 1] == '\\')
            ++backslashes;
        if (backslashes % 2 == 0)
            return at + 1;
        pos = at + 1;
    }
}

// `pos` is at the first byte of a value; returns the position after its last byte. Nested
// containers are skipped with a depth counter, not by recursion, so any depth is fine.
qsizetype skipValue(const char *b, qsizetype pos, qsizetype size)
{
    switch (b[pos]) {
    case '"':
        return skipString(b, pos, size);
    case '{':
    case '[': {
        qsizetype depth = 0;
        for (;;) {
            const char c = b[pos];
            if (!structuralBytes[static_cast<unsigned char>(c)]) {
                ++pos;
            } else if (c == '"') {
                pos = skipString(b, pos, size);
            } else if (c == '{' || c == '[') {
                ++depth;
                ++pos;
            } else {
                ++pos;
                if (--depth == 0)
                    return pos;
            }
        }
    }
    default:
        while (pos < size && !isSpace(b[pos]) && b[pos] != ',' && b[pos] != ']' && b[pos] != '}')
            ++pos;
        return pos;
    }
}

Kind kindOf(char first)
{
    switch (first) {
    case '{':
        return Kind::Object;
    case '[':
        return Kind::Array;
    case '"':
        return Kind::String;
    case 't':
        return Kind::True;
    case 'f':
        return Kind::False;
    case 'n':
        return Kind::Null;
    default:
        return Kind::Number;
    }
}

// Control characters are shown as their JSON escapes, so a value stays on one line and shows
// what is really there. Writes at most six characters; returns the end of what it wrote.
QChar *writeEscapedControl(QChar *out, char16_t c)
{
    char shortForm = 0;
    switch (c) {
    case '\b':
        shortForm = 'b';
        break;
    case '\f':
        shortForm = 'f';
        break;
    case '\n':
        shortForm = 'n';
        break;
    case '\r':
        shortForm = 'r';
        break;
    case '\t':
        shortForm = 't';
        break;
    }
    *out++ = QLatin1Char('\\');
    if (shortForm) {
        *out++ = QLatin1Char(shortForm);
        return out;
    }
    static constexpr char hex[] = "0123456789abcdef";
    for (const char e : {'u', '0', '0', hex[(c >> 4) & 0xf], hex[c & 0xf]})
        *out++ = QLatin1Char(e);
    return out;
}

// Cuts display text that went past the limit, never between the halves of a surrogate pair.
void cutForDisplay(QString &out)
{
    if (out.size() <= JsonTreeModel::maxDisplayChars)
        return;
    qsizetype keep = JsonTreeModel::maxDisplayChars;
    if (out.at(keep - 1).isHighSurrogate())
        --keep;
    out.truncate(keep);
    out += ellipsis;
}

// Decodes the contents of a JSON string, `p` to `end` being the bytes between its quotes.
// With `forDisplay`, control characters come out escaped and decoding stops soon after
// maxDisplayChars characters (the result is cut), so a 20 MB string costs a few hundred bytes.
// The text is decoded straight into the result: decoded text never has more UTF-16 units than
// the JSON has bytes (an escape shown as an escape is as long as it was), and shown text stops
// a few characters past the limit, so the result is allocated once.
QString decodeString(const char *p, const char *end, bool forDisplay)
{
    const qsizetype limit = forDisplay ? JsonTreeModel::maxDisplayChars + 1 : end - p;
    QString out(std::min<qsizetype>(end - p, limit + 16), Qt::Uninitialized);
    QChar *const begin = out.data();
    QChar *w = begin;
    // Runs end at an escape or at the end of a UTF-8 sequence, so each decodes on its own.
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    while (p < end && w - begin < limit) {
        // A run of plain bytes, up to the next escape. Shown text needs at most one byte per
        // character still missing; the run is widened to the end of a UTF-8 sequence (three
        // bytes at most, whatever the text holds, or the buffer would not do).
        const char *runEnd = end;
        if (end - p > limit - (w - begin)) {
            runEnd = p + (limit - (w - begin));
            for (int i = 0; i < 3 && runEnd < end && (uchar(*runEnd) & 0xC0) == 0x80; ++i)
                ++runEnd;
        }
        const auto *escape = static_cast<const char *>(std::memchr(p, '\\', runEnd - p));
        const char *stop = escape ? escape : runEnd;
        if (stop > p)
            w = utf8.appendToBuffer(w, QByteArrayView(p, stop - p));
        p = stop;
        if (!escape)
            continue;
        const char e = p[1];
        p += 2;
        char16_t c = 0;
        switch (e) {
        case 'b':
            c = '\b';
            break;
        case 'f':
            c = '\f';
            break;
        case 'n':
            c = '\n';
            break;
        case 'r':
            c = '\r';
            break;
        case 't':
            c = '\t';
            break;
        case 'u':
            // Surrogate pairs come as two escapes, which write the two UTF-16 halves in turn.
            c = char16_t((hexValue(p[0]) << 12) | (hexValue(p[1]) << 8) | (hexValue(p[2]) << 4)
                         | hexValue(p[3]));
            p += 4;
            break;
        default: // '"', '\\', '/'
            c = char16_t(e);
            break;
        }
        if (forDisplay && c < 0x20)
            w = writeEscapedControl(w, c);
        else
            *w++ = QChar(c);
    }
    out.truncate(w - begin);
    if (forDisplay)
        cutForDisplay(out);
    return out;
}

QString displayText(QStringView text)
{
    QString out;
    for (qsizetype i = 0; i < text.size() && out.size() <= JsonTreeModel::maxDisplayChars; ++i) {
        const QChar c = text.at(i);
        if (c.unicode() < 0x20) {
            QChar escaped[6];
            out.append(escaped, writeEscapedControl(escaped, c.unicode()) - escaped);
        } else {
            out += c;
        }
    }
    cutForDisplay(out);
    return out;
}

bool isIdentifier(QStringView key)
{
    if (key.isEmpty() || (key.front() >= u'0' && key.front() <= u'9'))
        return false;
    return std::all_of(key.begin(), key.end(), [](QChar c) {
        const char16_t u = c.unicode();
        return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9')
            || u == '_';
    });
}

QString typeName(Kind kind)
{
    switch (kind) {
    case Kind::Object:
        return QStringLiteral("object");
    case Kind::Array:
        return QStringLiteral("array");
    case Kind::String:
        return QStringLiteral("string");
    case Kind::Number:
        return QStringLiteral("number");
    case Kind::True:
    case Kind::False:
        return QStringLiteral("boolean");
    case Kind::Null:
        return QStringLiteral("null");
    case Kind::NotJson:
        break;
    }
    return {};
}

// One linear pass over the whole text with an explicit stack of open containers: the model
// can then find children with simple skips, and deep nesting cannot overflow the call stack.
class Validator
{
public:
    explicit Validator(const QByteArray &json)
        : m_b(json.constData())
        , m_size(json.size())
    {
    }

    // The top-level value's byte range, or false with error() set.
    bool run(qsizetype *start, qsizetype *end);
    const QString &error() const { return m_error; }

private:
    enum class Expect { Value, ValueOrClose, Key, KeyOrClose, Colon, CommaOrClose, Done };

    bool fail(const char *what, qsizetype at)
    {
        m_error = QStringLiteral("%1 at byte %2").arg(QLatin1String(what)).arg(at);
        return false;
    }
    bool scalar(char first);
    bool string();
    bool number();
    bool literal(const char *word);

    const char *m_b;
    qsizetype m_size;
    qsizetype m_pos = 0;
    QString m_error;
};

bool Validator::run(qsizetype *start, qsizetype *end)
{
    std::vector<char> open; // '{' or '[' for each container around m_pos
    Expect expect = Expect::Value;
    m_pos = skipSpace(m_b, 0, m_size);
    *start = m_pos;
    auto afterValue = [&] {
        if (!open.empty())
            return Expect::CommaOrClose;
        *end = m_pos;
        return Expect::Done;
    };
    for (;;) {
        m_pos = skipSpace(m_b, m_pos, m_size);
        if (expect == Expect::Done)
            return m_pos == m_size || fail("text after the value", m_pos);
        if (m_pos == m_size)
            return fail(m_size == 0 ? "empty text" : "unexpected end of text", m_pos);
        const char c = m_b[m_pos];
        switch (expect) {
        case Expect::ValueOrClose:
            if (c == ']') {
                open.pop_back();
                ++m_pos;
                expect = afterValue();
                break;
            }
            [[fallthrough]];
        case Expect::Value:
            if (c == '{' || c == '[') {
                open.push_back(c);
                ++m_pos;
                expect = c == '{' ? Expect::KeyOrClose : Expect::ValueOrClose;
                break;
            }
            if (!scalar(c))
                return false;
            expect = afterValue();
            break;
        case Expect::KeyOrClose:
            if (c == '}') {
                open.pop_back();
                ++m_pos;
                expect = afterValue();
                break;
            }
            [[fallthrough]];
        case Expect::Key:
            if (c != '"')
                return fail("expected a member name", m_pos);
            if (!string())
                return false;
            expect = Expect::Colon;
            break;
        case Expect::Colon:
            if (c != ':')
                return fail("expected ':'", m_pos);
            ++m_pos;
            expect = Expect::Value;
            break;
        case Expect::CommaOrClose: {
            const bool inObject = open.back() == '{';
            if (c == ',') {
                ++m_pos;
                expect = inObject ? Expect::Key : Expect::Value;
            } else if (c == (inObject ? '}' : ']')) {
                open.pop_back();
                ++m_pos;
                expect = afterValue();
            } else {
                return fail(inObject ? "expected ',' or '}'" : "expected ',' or ']'", m_pos);
            }
            break;
        }
        case Expect::Done:
            break;
        }
    }
}

bool Validator::scalar(char first)
{
    switch (first) {
    case '"':
        return string();
    case 't':
        return literal("true");
    case 'f':
        return literal("false");
    case 'n':
        return literal("null");
    default:
        if (first == '-' || isDigit(first))
            return number();
        return fail("unexpected character", m_pos);
    }
}

bool Validator::string()
{
    const qsizetype open = m_pos++;
    for (;;) {
        if (m_pos >= m_size)
            return fail("unterminated string", open);
        const auto c = static_cast<unsigned char>(m_b[m_pos]);
        if (c == '"') {
            ++m_pos;
            return true;
        }
        if (c < 0x20)
            return fail("control character in a string", m_pos);
        if (c != '\\') {
            ++m_pos;
            continue;
        }
        if (m_pos + 1 >= m_size)
            return fail("unterminated string", open);
        switch (m_b[m_pos + 1]) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
            m_pos += 2;
            break;
        case 'u':
            if (m_pos + 6 > m_size)
                return fail("unterminated string", open);
            for (int i = 2; i < 6; ++i) {
                if (!isHexDigit(m_b[m_pos + i]))
                    return fail("invalid escape", m_pos);
            }
            m_pos += 6;
            break;
        default:
            return fail("invalid escape", m_pos);
        }
    }
}

bool Validator::number()
{
    const qsizetype start = m_pos;
    auto digits = [&] {
        if (m_pos >= m_size || !isDigit(m_b[m_pos]))
            return false;
        while (m_pos < m_size && isDigit(m_b[m_pos]))
            ++m_pos;
        return true;
    };
    if (m_b[m_pos] == '-')
        ++m_pos;
    if (m_pos < m_size && m_b[m_pos] == '0')
        ++m_pos;
    else if (!digits())
        return fail("invalid number", start);
    if (m_pos < m_size && m_b[m_pos] == '.') {
        ++m_pos;
        if (!digits())
            return fail("invalid number", start);
    }
    if (m_pos < m_size && (m_b[m_pos] == 'e' || m_b[m_pos] == 'E')) {
        ++m_pos;
        if (m_pos < m_size && (m_b[m_pos] == '+' || m_b[m_pos] == '-'))
            ++m_pos;
        if (!digits())
            return fail("invalid number", start);
    }
    return true;
}

bool Validator::literal(const char *word)
{
    const auto length = qsizetype(std::strlen(word));
    if (m_size - m_pos < length || std::memcmp(m_b + m_pos, word, size_t(length)) != 0)
        return fail("unexpected character", m_pos);
    m_pos += length;
    return true;
}

} // namespace

JsonTreeModel::JsonTreeModel(QObject *parent)
    : QAbstractItemModel(parent)
{
}

JsonTreeModel::~JsonTreeModel() = default;

JsonTreeModel::Checked JsonTreeModel::check(const QByteArray &json)
{
    Checked checked;
    Validator validator(json);
    if (!validator.run(&checked.start, &checked.end))
        checked.error = validator.error();
    return checked;
}

void JsonTreeModel::setJson(const QByteArray &json)
{
    setJson(json, check(json));
}

void JsonTreeModel::setJson(const QByteArray &json, const Checked &checked)
{
    beginResetModel();
    m_json = json;
    m_error.clear();
    dropNodes(); // a big document's nodes give their memory back
    Node &root = addNode();
    if (checked.error.isEmpty() && checked.end > checked.start && checked.end <= m_json.size()) {
        root.start = checked.start;
        root.end = checked.end;
        root.kind = kindOf(m_json.at(root.start));
    } else {
        m_error = checked.error;
        root = Node {};
        root.kind = Kind::NotJson;
        root.childCount = 0;
    }
    endResetModel();
}

void JsonTreeModel::clear()
{
    beginResetModel();
    m_json.clear();
    m_error.clear();
    dropNodes();
    endResetModel();
}

void JsonTreeModel::dropNodes()
{
    m_blocks.clear();
    m_nodeCount = 0;
    m_scannedNodes = 0;
}

JsonTreeModel::Node &JsonTreeModel::addNode() const
{
    if (m_nodeCount % blockSize == 0)
        m_blocks.push_back(std::make_unique<Node[]>(blockSize));
    return nodeById(m_nodeCount++);
}

bool JsonTreeModel::isJson() const
{
    return m_nodeCount > 0 && nodeById(0).kind != Kind::NotJson;
}

const JsonTreeModel::Node *JsonTreeModel::nodeOf(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this || index.internalId() >= quintptr(m_nodeCount))
        return nullptr;
    return &nodeById(int(index.internalId()));
}

bool JsonTreeModel::isContainer(const Node &node) const
{
    return node.kind == Kind::Object || node.kind == Kind::Array;
}

int JsonTreeModel::ensureScanned(int id) const
{
    Node &node = nodeById(id);
    if (node.childCount >= 0)
        return node.childCount;
    if (!isContainer(node))
        return 0;
    // One pass over the node's bytes: each child's value is skipped whole (its own children
    // are found when it is asked for).
    const char *b = m_json.constData();
    const qsizetype size = m_json.size();
    const bool object = node.kind == Kind::Object;
    const int first = m_nodeCount;
    int row = 0;
    for (qsizetype pos = node.start + 1;;) {
        pos = skipSpace(b, pos, size);
        const char c = b[pos];
        if (c == '}' || c == ']')
            break;
        if (c == ',') {
            ++pos;
            continue;
        }
        Node &child = addNode();
        child.parent = id;
        child.row = row++;
        if (object) {
            const qsizetype keyEnd = skipString(b, pos, size);
            child.key = decodeString(b + pos + 1, b + keyEnd - 1, false);
            pos = skipSpace(b, keyEnd, size) + 1; // past the ':'
            pos = skipSpace(b, pos, size);
        }
        child.start = pos;
        child.kind = kindOf(b[pos]);
        if (!isContainer(child))
            child.childCount = 0;
        child.end = skipValue(b, pos, size);
        pos = child.end;
    }
    node.firstChild = first;
    node.childCount = row;
    ++m_scannedNodes;
    return row;
}

QModelIndex JsonTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (!parent.isValid())
        return row == 0 && m_nodeCount > 0 ? createIndex(0, column, quintptr(0)) : QModelIndex();
    const Node *node = nodeOf(parent);
    if (!node || parent.column() != 0)
        return {};
    const int id = int(parent.internalId());
    if (row >= ensureScanned(id))
        return {};
    return createIndex(row, column, quintptr(nodeById(id).firstChild + row));
}

QModelIndex JsonTreeModel::parent(const QModelIndex &child) const
{
    const Node *node = nodeOf(child);
    if (!node || node->parent < 0)
        return {};
    return createIndex(nodeById(node->parent).row, 0, quintptr(node->parent));
}

int JsonTreeModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return m_nodeCount == 0 ? 0 : 1;
    if (parent.column() != 0 || !nodeOf(parent))
        return 0;
    return ensureScanned(int(parent.internalId()));
}

int JsonTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

bool JsonTreeModel::hasChildren(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return m_nodeCount > 0;
    const Node *node = nodeOf(parent);
    if (!node || parent.column() != 0 || !isContainer(*node))
        return false;
    if (node->childCount >= 0)
        return node->childCount > 0;
    // A container is empty when its closing bracket comes first; no need to find the children.
    const char c = m_json.at(skipSpace(m_json.constData(), node->start + 1, m_json.size()));
    return c != '}' && c != ']';
}

Qt::ItemFlags JsonTreeModel::flags(const QModelIndex &index) const
{
    const Node *node = nodeOf(index);
    if (!node)
        return Qt::NoItemFlags;
    Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (index.column() != 0 || !isContainer(*node))
        flags |= Qt::ItemNeverHasChildren;
    return flags;
}

QString JsonTreeModel::displayKey(const Node &node) const
{
    if (node.parent < 0)
        return QStringLiteral("(root)");
    if (nodeById(node.parent).kind == Kind::Array)
        return QLatin1Char('[') + QString::number(node.row) + QLatin1Char(']');
    return displayText(node.key);
}

QString JsonTreeModel::displayValue(int id) const
{
    const Kind kind = nodeById(id).kind;
    if (kind == Kind::Object || kind == Kind::Array) {
        const int count = ensureScanned(id);
        const bool object = kind == Kind::Object;
        if (count == 0)
            return object ? QStringLiteral("{}") : QStringLiteral("[]");
        if (count == 1)
            return object ? QStringLiteral("{1 key}") : QStringLiteral("[1 item]");
        return (object ? QStringLiteral("{%1 keys}") : QStringLiteral("[%1 items]")).arg(count);
    }
    const Node &node = nodeById(id);
    const char *b = m_json.constData();
    if (kind == Kind::String)
        return decodeString(b + node.start + 1, b + node.end - 1, true);
    // Numbers and literals are ASCII; only as much as can be shown is read.
    QString text = QString::fromLatin1(
        b + node.start, std::min<qsizetype>(node.end - node.start, maxDisplayChars + 1));
    cutForDisplay(text);
    return text;
}

QVariant JsonTreeModel::data(const QModelIndex &index, int role) const
{
    const Node *node = nodeOf(index);
    if (!node || (role != Qt::DisplayRole && role != Qt::ToolTipRole))
        return {};
    if (node->kind == Kind::NotJson) {
        if (role == Qt::ToolTipRole || index.column() == ValueColumn)
            return m_error;
        return index.column() == KeyColumn ? tr("(not JSON)") : QString();
    }
    if (role == Qt::ToolTipRole)
        return pathAt(index);
    switch (index.column()) {
    case KeyColumn:
        return displayKey(*node);
    case ValueColumn:
        return displayValue(int(index.internalId()));
    case TypeColumn:
        return typeName(node->kind);
    }
    return {};
}

QVariant JsonTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case KeyColumn:
        return tr("Key");
    case ValueColumn:
        return tr("Value");
    case TypeColumn:
        return tr("Type");
    }
    return {};
}

QString JsonTreeModel::pathAt(const QModelIndex &index) const
{
    const Node *node = nodeOf(index);
    if (!node || node->kind == Kind::NotJson)
        return {};
    QStringList steps; // from the node up to the root
    for (; node->parent >= 0; node = &nodeById(node->parent)) {
        if (nodeById(node->parent).kind == Kind::Array)
            steps += QLatin1Char('[') + QString::number(node->row) + QLatin1Char(']');
        else if (isIdentifier(node->key))
            steps += QLatin1Char('.') + node->key;
        else
            steps += QLatin1Char('[') + JsonFormatter::quote(node->key) + QLatin1Char(']');
    }
    QString path = QStringLiteral("$");
    for (auto step = steps.crbegin(); step != steps.crend(); ++step)
        path += *step;
    return path;
}

QString JsonTreeModel::searchExpressionAt(const QModelIndex &index) const
{
    const Node *leaf = nodeOf(index);
    if (!leaf || leaf->kind == Kind::NotJson || isContainer(*leaf) || leaf->parent < 0)
        return {};
    struct Step
    {
        QString key;
        bool element = false;
    };
    QList<Step> steps; // from the leaf up to the root
    bool throughArray = false;
    for (const Node *node = leaf; node->parent >= 0; node = &nodeById(node->parent)) {
        const bool element = nodeById(node->parent).kind == Kind::Array;
        throughArray = throughArray || element;
        steps.append({element ? QString() : node->key, element});
    }
    const QString value = QString::fromUtf8(valueJsonAt(index));
    QString path;
    if (!throughArray) {
        // Member names only: `a.b = value`, which the payload's index serves as containment.
        for (auto step = steps.crbegin(); step != steps.crend(); ++step) {
            if (!path.isEmpty())
                path += QLatin1Char('.');
            path += isIdentifier(step->key) ? step->key : JsonFormatter::quote(step->key);
        }
        return path + QStringLiteral(" = ") + value;
    }
    // Through an array: a JSON path over any of its elements.
    path = QStringLiteral("$");
    for (auto step = steps.crbegin(); step != steps.crend(); ++step) {
        if (step->element)
            path += QStringLiteral("[*]");
        else
            path += QLatin1Char('.')
                + (isIdentifier(step->key) ? step->key : JsonFormatter::quote(step->key));
    }
    return path + QStringLiteral(" == ") + value;
}

QByteArray JsonTreeModel::valueJsonAt(const QModelIndex &index) const
{
    const Node *node = nodeOf(index);
    if (!node || node->kind == Kind::NotJson)
        return {};
    return m_json.mid(node->start, node->end - node->start);
}

QString JsonTreeModel::valueTextAt(const QModelIndex &index) const
{
    const Node *node = nodeOf(index);
    if (!node)
        return {};
    if (node->kind == Kind::NotJson)
        return m_error;
    const char *b = m_json.constData();
    if (node->kind == Kind::String)
        return decodeString(b + node->start + 1, b + node->end - 1, false);
    return QString::fromUtf8(b + node->start, node->end - node->start);
}

JsonTreeModel::Kind JsonTreeModel::kindAt(const QModelIndex &index) const
{
    const Node *node = nodeOf(index);
    return node ? node->kind : Kind::NotJson;
}

} // namespace eventium::ui
