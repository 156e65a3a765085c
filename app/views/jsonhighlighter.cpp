#include "views/jsonhighlighter.h"

#include <QPalette>
#include <QTextDocument>

namespace {

bool isNumberCharacter(QChar c)
{
    return c.isDigit() || c == u'-' || c == u'+' || c == u'.' || c == u'e' || c == u'E';
}

} // namespace

JsonHighlighter::JsonHighlighter(QTextDocument *document)
    : QSyntaxHighlighter(document)
{
    setTheme(Theme::Light);
}

JsonHighlighter::Theme JsonHighlighter::themeFor(const QPalette &palette)
{
    return palette.color(QPalette::Base).lightness() < 128 ? Theme::Dark : Theme::Light;
}

void JsonHighlighter::setTheme(Theme theme)
{
    // The two sets follow the usual editor JSON colours. On white every colour keeps at least
    // 4.5:1 contrast; on a dark base they are light pastels.
    const bool dark = theme == Theme::Dark;
    m_keyFormat.setForeground(QColor(dark ? 0x9cdcfe : 0x0451a5));
    m_stringFormat.setForeground(QColor(dark ? 0xce9178 : 0xa31515));
    m_numberFormat.setForeground(QColor(dark ? 0xb5cea8 : 0x098658));
    m_literalFormat.setForeground(QColor(dark ? 0xc586c0 : 0x8a00b8));
    if (m_theme != theme) {
        m_theme = theme;
        rehighlight();
    }
}

void JsonHighlighter::setCharacterLimit(qsizetype characters)
{
    if (m_characterLimit == characters)
        return;
    m_characterLimit = characters;
    rehighlight();
}

QTextCharFormat JsonHighlighter::format(Token token) const
{
    switch (token) {
    case Token::Key:
        return m_keyFormat;
    case Token::String:
        return m_stringFormat;
    case Token::Number:
        return m_numberFormat;
    case Token::Literal:
        return m_literalFormat;
    }
    return {};
}

void JsonHighlighter::highlightBlock(const QString &text)
{
    const qsizetype blockStart = currentBlock().position();
    if (blockStart >= m_characterLimit)
        return;
    const qsizetype length = qMin<qsizetype>(text.size(), m_characterLimit - blockStart);

    qsizetype i = 0;
    while (i < length) {
        const QChar c = text.at(i);
        const qsizetype start = i;
        if (c == u'"') {
            ++i;
            while (i < length) {
                if (text.at(i) == u'\\') {
                    i += 2;
                } else if (text.at(i++) == u'"') {
                    break;
                }
            }
            i = qMin(i, length);
            qsizetype next = i;
            while (next < length && text.at(next).isSpace())
                ++next;
            const bool isKey = next < length && text.at(next) == u':';
            setFormat(int(start), int(i - start), isKey ? m_keyFormat : m_stringFormat);
        } else if (c.isDigit() || c == u'-') {
            while (i < length && isNumberCharacter(text.at(i)))
                ++i;
            setFormat(int(start), int(i - start), m_numberFormat);
        } else if (c.isLetter()) {
            while (i < length && text.at(i).isLetter())
                ++i;
            const QStringView word = QStringView(text).sliced(start, i - start);
            if (word == u"true" || word == u"false" || word == u"null")
                setFormat(int(start), int(i - start), m_literalFormat);
        } else {
            ++i;
        }
    }
}
