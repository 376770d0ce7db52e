#pragma once

#include <QAbstractItemModel>
#include <QByteArray>
#include <QString>

#include <memory>
#include <vector>

namespace eventium::ui {

// A tree of a JSON document (an event's data or metadata) for a QTreeView: one row for the
// top-level value, a row for each member or item below it.
//
// It works on the JSON text itself, never through QJsonDocument, so numbers are shown exactly
// as stored (12345678901234567890 and 0.10 stay as they are). Nodes are byte ranges of the
// text and are made lazily: a container finds its direct children, in one pass over its own
// bytes, the first time they are asked for, so a document of 50,000 items costs one pass when
// its root is expanded and nothing for the rows nobody opens. Values are shown decoded and cut
// to `maxDisplayChars`, decoding no more of a long string than the cut needs.
//
// setJson() checks the whole text once (a linear scan, no recursion, so any nesting depth is
// fine); text that is not JSON gives a single row that says so.
class JsonTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column { KeyColumn, ValueColumn, TypeColumn, ColumnCount };
    enum class Kind : quint8 { Object, Array, String, Number, True, False, Null, NotJson };
    // Longer values are cut to this many characters followed by "…".
    static constexpr int maxDisplayChars = 200;

    explicit JsonTreeModel(QObject *parent = nullptr);
    ~JsonTreeModel() override;

    // Shows `json` (UTF-8); anything that is not a JSON value, empty text included, gives one
    // "(not JSON)" row whose value says what is wrong and where.
    void setJson(const QByteArray &json);
    // What setJson() learns in its pass over the text. check() may run on any thread, so that
    // a big document is checked off the UI thread and then shown with setJson(json, checked).
    struct Checked
    {
        qsizetype start = 0; // the top-level value's byte range
        qsizetype end = 0;
        QString error; // empty when the text is JSON
    };
    static Checked check(const QByteArray &json);
    void setJson(const QByteArray &json, const Checked &checked);
    // No rows at all.
    void clear();
    const QByteArray &json() const { return m_json; }
    bool isJson() const;
    // Why the text is not JSON, with the byte offset where it stops being JSON; empty when it
    // is JSON and after clear().
    const QString &errorString() const { return m_error; }

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    bool hasChildren(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

    // The node's JSONPath: "$", "$.customer.id", "$.items[3].sku", "$[\"first name\"]".
    QString pathAt(const QModelIndex &index) const;
    // The node's value as it is in the text, without surrounding whitespace.
    QByteArray valueJsonAt(const QModelIndex &index) const;
    // The node's whole value for copying: a string decoded (without quotes), anything else its
    // JSON text; for the "(not JSON)" row, the error.
    QString valueTextAt(const QModelIndex &index) const;
    // A search for a scalar's value where it is, as the Live tab's Where box reads it:
    // `customer.name = "Ann"` (JSON containment) through members, `$.items[*].sku == "A-1"`
    // (any element) through arrays. Empty for containers and for a document that is not JSON.
    QString searchExpressionAt(const QModelIndex &index) const;
    Kind kindAt(const QModelIndex &index) const;

    // Containers whose children have been found so far, and nodes made so far (the top-level
    // value included): what the laziness costs, for tests and diagnostics.
    int scannedNodes() const { return m_scannedNodes; }
    int nodeCount() const { return m_nodeCount; }

private:
    struct Node
    {
        qsizetype start = 0; // first byte of the value
        qsizetype end = 0; // one past its last byte
        QString key; // the member name, decoded, when the parent is an object
        int parent = -1; // -1 for the top-level value
        int row = 0;
        int firstChild = -1; // children are consecutive nodes
        int childCount = -1; // -1 until the children have been found
        Kind kind = Kind::Null;
    };

    Node &nodeById(int id) const
    {
        return m_blocks[size_t(id) >> blockShift][size_t(id) & (blockSize - 1)];
    }
    Node &addNode() const;
    void dropNodes();
    const Node *nodeOf(const QModelIndex &index) const;
    bool isContainer(const Node &node) const;
    // Finds the direct children of a container node once; returns its child count.
    int ensureScanned(int id) const;
    QString displayKey(const Node &node) const;
    QString displayValue(int id) const;

    QByteArray m_json;
    QString m_error;
    // Children are found from const accessors (rowCount, index, data): the rows exist from
    // the start as far as views can tell, they are only made late. Nodes live in blocks of a
    // fixed size, so adding 50,000 children never moves the nodes already made (a growing
    // vector would copy them all each time it reallocates). A node's id is its model index's
    // internal id.
    static constexpr int blockShift = 10;
    static constexpr int blockSize = 1 << blockShift;
    mutable std::vector<std::unique_ptr<Node[]>> m_blocks;
    mutable int m_nodeCount = 0;
    mutable int m_scannedNodes = 0;
};

} // namespace eventium::ui
