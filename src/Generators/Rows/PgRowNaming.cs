using System.Text;

namespace PgBorrow.Generators.Rows;

/// <summary>Member names to column names (the values of PgBorrow.PgNaming).</summary>
internal static class PgRowNaming
{
    public const int SnakeCase = 0;
    public const int AsIs = 1;

    public static string ToColumnName(string memberName, int naming)
        => naming == AsIs ? memberName : ToSnakeCase(memberName);

    /// <summary>
    /// <c>OrderId</c> to <c>order_id</c>, <c>HTTPStatus</c> to <c>http_status</c>, <c>Line2Total</c> to
    /// <c>line2_total</c>, <c>orderId</c> to <c>order_id</c>: a word starts at an upper-case letter that
    /// follows a lower-case letter or digit, or that precedes a lower-case letter after capitals.
    /// </summary>
    public static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && name[i - 1] != '_')
                {
                    var previous = name[i - 1];
                    var startsWord = char.IsLower(previous) || char.IsDigit(previous)
                        || (char.IsUpper(previous) && i + 1 < name.Length && char.IsLower(name[i + 1]));
                    if (startsWord)
                        builder.Append('_');
                }
                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }
}
