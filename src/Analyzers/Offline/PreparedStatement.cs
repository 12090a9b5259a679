using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace PgBorrow.Analyzers.Offline;

/// <summary>One result column as <c>pgborrow prepare</c> described it: its name, PostgreSQL type (as <c>format_type</c> writes it) and nullability.</summary>
internal sealed record PreparedColumn(string Name, string Type, bool Nullable);

/// <summary>
/// The content of one <c>.pgborrow/&lt;hash&gt;.json</c> file: the statement, its parameter types and its result
/// columns. Read by a small reader written for the fixed format the tool writes (System.Text.Json is not available
/// to an analyzer on every host); unknown keys are skipped, and a file that is not such an object reads as null.
/// </summary>
internal sealed class PreparedStatement
{
    private PreparedStatement(string sql, IReadOnlyList<string> parameters, IReadOnlyList<PreparedColumn> columns)
    {
        Sql = sql;
        Parameters = parameters;
        Columns = columns;
    }

    public string Sql { get; }

    public IReadOnlyList<string> Parameters { get; }

    public IReadOnlyList<PreparedColumn> Columns { get; }

    /// <summary>The statement <paramref name="json"/> describes, or null when it is not a statement file.</summary>
    public static PreparedStatement? Parse(string json)
    {
        try
        {
            var reader = new JsonReader(json);
            var value = reader.ReadValue();
            reader.SkipWhitespace();
            return reader.AtEnd && value is Dictionary<string, object?> root ? FromRoot(root) : null;
        }
        catch (NotJsonException)
        {
            return null;
        }
    }

    private static PreparedStatement? FromRoot(Dictionary<string, object?> root)
    {
        if (!root.TryGetValue("sql", out var sqlValue) || sqlValue is not string sql)
            return null;
        var parameters = new List<string>();
        if (root.TryGetValue("parameters", out var parameterValues) && parameterValues is List<object?> parameterList)
        {
            foreach (var parameter in parameterList)
            {
                if (parameter is not string type)
                    return null;
                parameters.Add(type);
            }
        }
        var columns = new List<PreparedColumn>();
        if (root.TryGetValue("columns", out var columnValues) && columnValues is List<object?> columnList)
        {
            foreach (var column in columnList)
            {
                if (column is not Dictionary<string, object?> fields
                    || !fields.TryGetValue("name", out var name) || name is not string columnName
                    || !fields.TryGetValue("type", out var type) || type is not string columnType)
                {
                    return null;
                }
                // A file without the key is read as the tool decides by default: nullable unless proven otherwise.
                var nullable = !fields.TryGetValue("nullable", out var flag) || flag is not false;
                columns.Add(new PreparedColumn(columnName, columnType, nullable));
            }
        }
        return new PreparedStatement(sql, parameters, columns);
    }

    /// <summary>Thrown (and caught in <see cref="Parse"/>) when the text is not JSON.</summary>
    private sealed class NotJsonException : System.Exception
    {
    }

    /// <summary>Reads JSON values: objects as dictionaries, arrays as lists, strings, numbers as doubles, true, false and null.</summary>
    private sealed class JsonReader
    {
        private readonly string _text;
        private int _position;

        public JsonReader(string text) => _text = text;

        public bool AtEnd => _position >= _text.Length;

        public void SkipWhitespace()
        {
            while (!AtEnd && _text[_position] is ' ' or '\t' or '\n' or '\r' or '\uFEFF')
                _position++;
        }

        public object? ReadValue()
        {
            SkipWhitespace();
            if (AtEnd)
                throw new NotJsonException();
            switch (_text[_position])
            {
                case '{':
                    return ReadObject();
                case '[':
                    return ReadArray();
                case '"':
                    return ReadString();
                case 't':
                    Expect("true");
                    return true;
                case 'f':
                    Expect("false");
                    return false;
                case 'n':
                    Expect("null");
                    return null;
                default:
                    return ReadNumber();
            }
        }

        private Dictionary<string, object?> ReadObject()
        {
            var result = new Dictionary<string, object?>(System.StringComparer.Ordinal);
            _position++;
            SkipWhitespace();
            if (TryTake('}'))
                return result;
            do
            {
                SkipWhitespace();
                if (AtEnd || _text[_position] != '"')
                    throw new NotJsonException();
                var key = ReadString();
                SkipWhitespace();
                if (!TryTake(':'))
                    throw new NotJsonException();
                result[key] = ReadValue();
                SkipWhitespace();
            }
            while (TryTake(','));
            if (!TryTake('}'))
                throw new NotJsonException();
            return result;
        }

        private List<object?> ReadArray()
        {
            var result = new List<object?>();
            _position++;
            SkipWhitespace();
            if (TryTake(']'))
                return result;
            do
            {
                result.Add(ReadValue());
                SkipWhitespace();
            }
            while (TryTake(','));
            if (!TryTake(']'))
                throw new NotJsonException();
            return result;
        }

        private string ReadString()
        {
            var builder = new StringBuilder();
            _position++;
            while (true)
            {
                if (AtEnd)
                    throw new NotJsonException();
                var c = _text[_position++];
                if (c == '"')
                    return builder.ToString();
                if (c != '\\')
                {
                    builder.Append(c);
                    continue;
                }
                if (AtEnd)
                    throw new NotJsonException();
                var escaped = _text[_position++];
                switch (escaped)
                {
                    case '"': case '\\': case '/': builder.Append(escaped); break;
                    case 'b': builder.Append('\b'); break;
                    case 'f': builder.Append('\f'); break;
                    case 'n': builder.Append('\n'); break;
                    case 'r': builder.Append('\r'); break;
                    case 't': builder.Append('\t'); break;
                    case 'u' when _position + 4 <= _text.Length
                        && int.TryParse(_text.Substring(_position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code):
                        builder.Append((char)code);
                        _position += 4;
                        break;
                    default:
                        throw new NotJsonException();
                }
            }
        }

        private double ReadNumber()
        {
            var start = _position;
            while (!AtEnd && (char.IsDigit(_text[_position]) || _text[_position] is '-' or '+' or '.' or 'e' or 'E'))
                _position++;
            if (!double.TryParse(_text.Substring(start, _position - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                throw new NotJsonException();
            return number;
        }

        private void Expect(string word)
        {
            if (string.CompareOrdinal(_text, _position, word, 0, word.Length) != 0)
                throw new NotJsonException();
            _position += word.Length;
        }

        private bool TryTake(char c)
        {
            if (AtEnd || _text[_position] != c)
                return false;
            _position++;
            return true;
        }
    }
}
