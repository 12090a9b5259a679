using System;
using System.IO;
using System.Text.Json;
using PgBorrow.Analyzers.Offline;
using PgBorrow.Cli.Describe;

namespace PgBorrow.Cli.Metadata;

/// <summary>
/// The committed file of one described statement, <c>.pgborrow/&lt;hash&gt;.json</c>: small, stable and diff-friendly.
/// <list type="bullet">
/// <item>Name: the lowercase hex SHA-256 of the UTF-8 bytes of the normalised SQL. Normalising only turns CRLF and CR
/// into LF and trims whitespace at both ends; nothing inside the text changes (whitespace inside a string constant
/// matters), so any other edit to the statement gives a new name.</item>
/// <item>Content: keys in a fixed order, two-space indentation, LF line ends, a trailing newline. Table OIDs are left
/// out (they differ between two databases built from the same schema); the table's name stands in for them.</item>
/// </list>
/// </summary>
public static class StatementFile
{
    public const string FolderName = PreparedStatementName.FolderName;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        NewLine = "\n",
        // Keep quotes, < > and non-ASCII letters readable in diffs; these files are never embedded in HTML.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    // The name is computed by the code the analyzers use to find the file.
    public static string NormaliseSql(string sql) => PreparedStatementName.NormaliseSql(sql);

    public static string Hash(string sql) => PreparedStatementName.Hash(sql);

    public static string FileName(string sql) => PreparedStatementName.FileName(sql);

    /// <summary>The file's exact bytes: the same description always gives the same bytes.</summary>
    public static byte[] Write(StatementDescription description)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("sql", NormaliseSql(description.Sql));
            json.WriteStartArray("parameters");
            foreach (var type in description.ParameterTypes)
                json.WriteStringValue(type);
            json.WriteEndArray();
            json.WriteStartArray("columns");
            foreach (var column in description.Columns)
            {
                json.WriteStartObject();
                json.WriteString("name", column.Name);
                json.WriteString("type", column.Type);
                json.WriteString("table", column.Table);
                json.WriteNumber("attribute", column.AttributeNumber);
                json.WriteBoolean("nullable", column.Nullable);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }
}
