#include "models/jsondiff.h"

#include "sselib/jsonpath.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>
#include <QStringList>

#include <algorithm>
#include <vector>

namespace JsonDiff {

namespace {

class Differ
{
public:
    explicit Differ(int maxChanges) : m_maxChanges(qMax(1, maxChanges)) { }

    bool full() const { return m_result.truncated; }

    void add(ChangeKind kind, const QString &path, const QJsonValue *oldValue,
             const QJsonValue *newValue)
    {
        if (m_result.changes.size() >= m_maxChanges) {
            m_result.truncated = true;
            return;
        }
        Change change;
        change.kind = kind;
        change.path = path;
        if (oldValue)
            change.oldValue = compact(*oldValue);
        if (newValue)
            change.newValue = compact(*newValue);
        m_result.changes.append(change);
    }

    void compareValues(const QString &path, const QJsonValue &a, const QJsonValue &b)
    {
        if (full())
            return;
        if (a.isObject() && b.isObject()) {
            compareObjects(path, a.toObject(), b.toObject());
        } else if (a.isArray() && b.isArray()) {
            compareArrays(path, a.toArray(), b.toArray());
        } else if (a != b) {
            add(ChangeKind::Changed, path, &a, &b);
        }
    }

    Result take() { return std::move(m_result); }
    Result &result() { return m_result; }

private:
    static QString memberPath(QString path, const QString &name)
    {
        Sse::JsonPath::appendKey(path, name);
        return path;
    }

    static QString compact(const QJsonValue &value)
    {
        QString text;
        if (value.isObject())
            text =
                QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
        else if (value.isArray())
            text = QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
        else {
            const QByteArray wrapped =
                QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact);
            text = QString::fromUtf8(wrapped.mid(1, wrapped.size() - 2));
        }
        if (text.size() > MaximumValueLength) {
            text.truncate(MaximumValueLength);
            text.append(QChar(u'\u2026'));
        }
        return text;
    }

    void compareObjects(const QString &path, const QJsonObject &a, const QJsonObject &b)
    {
        // Members of the old object in its order, then those only in the new one.
        for (auto it = a.constBegin(); it != a.constEnd() && !full(); ++it) {
            const QString child = memberPath(path, it.key());
            const auto other = b.constFind(it.key());
            if (other == b.constEnd()) {
                const QJsonValue value = it.value();
                add(ChangeKind::Removed, child, &value, nullptr);
            } else {
                compareValues(child, it.value(), other.value());
            }
        }
        for (auto it = b.constBegin(); it != b.constEnd() && !full(); ++it) {
            if (!a.contains(it.key())) {
                const QJsonValue value = it.value();
                add(ChangeKind::Added, memberPath(path, it.key()), nullptr, &value);
            }
        }
    }

    void compareArrays(const QString &path, const QJsonArray &a, const QJsonArray &b)
    {
        const qsizetype common = qMin(a.size(), b.size());
        for (qsizetype i = 0; i < qMax(a.size(), b.size()) && !full(); ++i) {
            QString child = path;
            Sse::JsonPath::appendIndex(child, i);
            if (i < common) {
                compareValues(child, a.at(i), b.at(i));
            } else if (i < a.size()) {
                const QJsonValue value = a.at(i);
                add(ChangeKind::Removed, child, &value, nullptr);
            } else {
                const QJsonValue value = b.at(i);
                add(ChangeKind::Added, child, nullptr, &value);
            }
        }
    }

    int m_maxChanges;
    Result m_result;
};

bool parse(QByteArrayView bytes, QJsonValue *value)
{
    // Wrapped in an array so that scalars (`42`, `"text"`) parse as documents too.
    QByteArray wrapped;
    wrapped.reserve(bytes.size() + 2);
    wrapped.append('[').append(bytes.data(), bytes.size()).append(']');
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(wrapped, &error);
    if (error.error != QJsonParseError::NoError || !document.isArray()
        || document.array().size() != 1) {
        return false;
    }
    *value = document.array().at(0);
    return true;
}

QStringList splitLines(QByteArrayView bytes, bool *truncated)
{
    QStringList lines = QString::fromUtf8(bytes).split(QLatin1Char('\n'));
    for (QString &line : lines) {
        if (line.endsWith(QLatin1Char('\r')))
            line.chop(1);
    }
    if (lines.size() > MaximumLines) {
        lines.resize(MaximumLines);
        *truncated = true;
    }
    return lines;
}

// A longest-common-subsequence line diff; both sides are at most MaximumLines long, and the
// common head and tail are taken off first, so the table is small for the usual few changes.
Result compareLines(QByteArrayView oldData, QByteArrayView newData, int maxChanges)
{
    Result result;
    bool truncated = false;
    const QStringList a = splitLines(oldData, &truncated);
    const QStringList b = splitLines(newData, &truncated);
    qsizetype head = 0;
    while (head < a.size() && head < b.size() && a.at(head) == b.at(head))
        ++head;
    qsizetype tail = 0;
    while (tail < a.size() - head && tail < b.size() - head
           && a.at(a.size() - 1 - tail) == b.at(b.size() - 1 - tail)) {
        ++tail;
    }
    const qsizetype n = a.size() - head - tail;
    const qsizetype m = b.size() - head - tail;
    std::vector<int> table(size_t((n + 1) * (m + 1)), 0);
    auto at = [&](qsizetype i, qsizetype j) -> int & { return table[size_t(i * (m + 1) + j)]; };
    for (qsizetype i = n - 1; i >= 0; --i) {
        for (qsizetype j = m - 1; j >= 0; --j) {
            at(i, j) = a.at(head + i) == b.at(head + j) ? at(i + 1, j + 1) + 1
                                                        : qMax(at(i + 1, j), at(i, j + 1));
        }
    }
    auto add = [&](ChangeKind kind, qsizetype line, const QString &text) {
        if (result.changes.size() >= maxChanges) {
            result.truncated = true;
            return;
        }
        Change change;
        change.kind = kind;
        change.path = QCoreApplication::translate("JsonDiff", "line %1").arg(line + 1);
        QString shown = text.size() > MaximumValueLength
            ? text.left(MaximumValueLength) + QChar(u'\u2026')
            : text;
        (kind == ChangeKind::Removed ? change.oldValue : change.newValue) = shown;
        result.changes.append(change);
    };
    qsizetype i = 0;
    qsizetype j = 0;
    while ((i < n || j < m) && !result.truncated) {
        if (i < n && j < m && a.at(head + i) == b.at(head + j)) {
            ++i;
            ++j;
        } else if (j < m && (i >= n || at(i, j + 1) >= at(i + 1, j))) {
            add(ChangeKind::Added, head + j, b.at(head + j));
            ++j;
        } else {
            add(ChangeKind::Removed, head + i, a.at(head + i));
            ++i;
        }
    }
    result.truncated = result.truncated || truncated;
    return result;
}

} // namespace

Result compare(QByteArrayView oldData, QByteArrayView newData, int maxChanges)
{
    QJsonValue a;
    QJsonValue b;
    if (!parse(oldData, &a) || !parse(newData, &b))
        return compareLines(oldData, newData, qMax(1, maxChanges));
    Differ differ(maxChanges);
    differ.compareValues(QStringLiteral("data"), a, b);
    Result result = differ.take();
    result.structural = true;
    return result;
}

QString kindName(ChangeKind kind)
{
    switch (kind) {
    case ChangeKind::Added:
        return QCoreApplication::translate("JsonDiff", "Added");
    case ChangeKind::Removed:
        return QCoreApplication::translate("JsonDiff", "Removed");
    case ChangeKind::Changed:
        break;
    }
    return QCoreApplication::translate("JsonDiff", "Changed");
}

} // namespace JsonDiff
