#pragma once

#include <QByteArrayView>
#include <QCoreApplication>
#include <QList>
#include <QString>

// Structural comparison of two event data texts, for the Compare view.
//
// When both texts are JSON documents (objects, arrays or scalars), the result lists the paths
// that differ, depth first (members of an object by name, as QJsonObject keeps them; elements
// of an array by position): a member or element only in the new one is Added, only in
// the old one Removed, and a value that differs (including a change of type) Changed, with the
// old and new values as compact JSON. Paths use the filter language's spelling: `data.a.b[2]`,
// `data["a b"]`. Objects are compared by member name, arrays by position.
//
// Otherwise (either side is not JSON) the texts are compared line by line: a line only in the
// old text is Removed, only in the new one Added, with its line number as the path (`line 12`).
//
// Bounded: at most maxChanges changes are reported (truncated says more were found); the line
// comparison looks at the first MaximumLines lines of each side and says so (truncated) when
// there were more; a value shown is cut to MaximumValueLength characters.
namespace JsonDiff {
Q_NAMESPACE

enum class ChangeKind { Added, Removed, Changed };
Q_ENUM_NS(ChangeKind)

struct Change
{
    ChangeKind kind = ChangeKind::Changed;
    QString path;
    QString oldValue; // empty for Added
    QString newValue; // empty for Removed
};

struct Result
{
    bool structural = false; // both sides were JSON
    bool truncated = false;
    QList<Change> changes;
    bool isEqual() const { return changes.isEmpty() && !truncated; }
};

constexpr int DefaultMaximumChanges = 1000;
constexpr int MaximumLines = 5000;
constexpr qsizetype MaximumValueLength = 500;

Result compare(QByteArrayView oldData, QByteArrayView newData,
               int maxChanges = DefaultMaximumChanges);

// "Added", "Removed", "Changed", translated.
QString kindName(ChangeKind kind);

} // namespace JsonDiff
