using System;
using System.Text;

namespace PgBorrow.Benchmarks.AnalyzerCost;

/// <summary>
/// Collects C# text and indents it by its braces, so templates can be written flush-left and
/// multi-line snippets can be spliced into them without caring about indentation.
/// A trimmed line starting with '}' closes a level; one ending with '{' opens one.
/// </summary>
internal sealed class CodeWriter
{
    readonly StringBuilder text = new();
    int depth;
    bool lastWasBlank = true;

    public CodeWriter Write(string code)
    {
        foreach (var raw in code.Replace("\r\n", "\n").Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0)
            {
                if (!lastWasBlank)
                    text.Append('\n');
                lastWasBlank = true;
                continue;
            }

            if (line.StartsWith('}'))
                depth = Math.Max(0, depth - 1);
            text.Append(' ', depth * 4).Append(line).Append('\n');
            if (line.EndsWith('{'))
                depth++;
            lastWasBlank = false;
        }
        return this;
    }

    public CodeWriter BlankLine() => Write("\n");

    public override string ToString() => text.ToString();
}
