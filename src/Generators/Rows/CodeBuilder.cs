using System.Text;

namespace PgBorrow.Generators.Rows;

/// <summary>Lines with four-space indentation and braces, for the emitters.</summary>
internal sealed class CodeBuilder
{
    private readonly StringBuilder _text = new();
    private int _depth;

    public void Line(string line = "")
    {
        if (line.Length > 0)
            _text.Append(' ', _depth * 4).Append(line);
        _text.Append('\n');
    }

    public void Open(string? header = null)
    {
        if (header is not null)
            Line(header);
        Line("{");
        _depth++;
    }

    public void Close(string closing = "}")
    {
        _depth--;
        Line(closing);
    }

    public void Indent() => _depth++;

    public void Outdent() => _depth--;

    public override string ToString() => _text.ToString();
}
