using System.Security.Cryptography;
using System.Text;

namespace PgBorrow.Analyzers.Offline;

/// <summary>
/// The name of a described statement's file under <c>.pgborrow/</c>, shared by <c>pgborrow prepare</c>, which writes
/// the files, and the analyzers, which find them (this file is compiled into both): the lowercase hex SHA-256 of the
/// UTF-8 bytes of the normalised SQL. Normalising only turns CRLF and CR into LF and trims whitespace at both ends;
/// nothing inside the text changes (whitespace inside a string constant matters), so any other edit gives a new name.
/// </summary>
internal static class PreparedStatementName
{
    public const string FolderName = ".pgborrow";

    public static string NormaliseSql(string sql) => sql.Replace("\r\n", "\n").Replace('\r', '\n').Trim();

    public static string Hash(string sql)
    {
        byte[] digest;
        using (var sha256 = SHA256.Create())
            digest = sha256.ComputeHash(Encoding.UTF8.GetBytes(NormaliseSql(sql)));
        var hex = new StringBuilder(digest.Length * 2);
        foreach (var b in digest)
            hex.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        return hex.ToString();
    }

    public static string FileName(string sql) => Hash(sql) + ".json";
}
