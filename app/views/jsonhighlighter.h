#pragma once

#include <QSyntaxHighlighter>
#include <QTextCharFormat>

class QPalette;

/// Colours JSON text: keys, strings, numbers and the literals true/false/null.
///
/// Works one line (text block) at a time and keeps no state between lines: JSON strings cannot
/// contain a raw line break, so each line tokenises on its own. That holds for any text the
/// event detail view shows, pretty-printed or compact.
///
/// Only the first characterLimit() characters are coloured. QSyntaxHighlighter visits every
/// block when the text is set, and a block past the limit costs one comparison, so a multi-MiB
/// document stays cheap to load.
class JsonHighlighter : public QSyntaxHighlighter
{
    Q_OBJECT

public:
    /// Light colours are for dark backgrounds and the other way round.
    enum class Theme { Light, Dark };
    Q_ENUM(Theme)

    enum class Token { Key, String, Number, Literal };
    Q_ENUM(Token)

    static constexpr qsizetype DefaultCharacterLimit = 1024 * 1024;

    explicit JsonHighlighter(QTextDocument *document);

    /// Dark when the palette's base (text background) colour is dark.
    static Theme themeFor(const QPalette &palette);

    Theme theme() const { return m_theme; }
    void setTheme(Theme theme);

    qsizetype characterLimit() const { return m_characterLimit; }
    void setCharacterLimit(qsizetype characters);

    QTextCharFormat format(Token token) const;

protected:
    void highlightBlock(const QString &text) override;

private:
    Theme m_theme = Theme::Light;
    qsizetype m_characterLimit = DefaultCharacterLimit;
    QTextCharFormat m_keyFormat;
    QTextCharFormat m_stringFormat;
    QTextCharFormat m_numberFormat;
    QTextCharFormat m_literalFormat;
};
