using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace PgBorrow.Benchmarks.Queries;

/// <summary>
/// A small schema (five tables, nullable and non-nullable columns) and a C# project folder with any number of
/// distinct [PgQuery] statements over it, for the prepare and offline-cost modes. Statement <c>i</c> takes its
/// table and its shape from <c>i</c> (rows as a list, zero-or-one row, exactly one row, a stream, a count, a
/// nullable aggregate, an UPDATE, a join), and a constant <c>{i}</c> in its filter makes every text distinct, so
/// every statement has its own <c>.pgborrow/</c> file.
/// </summary>
internal static class SyntheticQueries
{
    private sealed record Column(string Name, string PostgresType, bool NotNull, string ClrType)
    {
        public string Member => string.Concat(Name.Split('_').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));
        public string MemberType => NotNull ? ClrType : ClrType + "?";
    }

    /// <param name="Filter">A non-nullable numeric column the constant filter reads.</param>
    /// <param name="NullableText">A nullable text column the UPDATE shape sets.</param>
    private sealed record Table(string Name, string Row, string Filter, string NullableText, Column[] Columns)
    {
        public string ColumnList => string.Join(", ", Columns.Select(c => c.Name));
    }

    private static readonly Table[] Tables =
    [
        new("customers", "CustomerRow", "id", "email",
        [
            new("id", "bigint", true, "long"), new("name", "text", true, "string"), new("email", "text", false, "string"),
            new("created_at", "timestamptz", true, "global::System.DateTime"),
        ]),
        new("products", "ProductRow", "price", "description",
        [
            new("id", "bigint", true, "long"), new("title", "text", true, "string"), new("price", "numeric(10,2)", true, "decimal"),
            new("description", "text", false, "string"), new("stock", "integer", true, "int"),
        ]),
        new("orders", "OrderRow", "total", "note",
        [
            new("id", "bigint", true, "long"), new("customer_id", "bigint", true, "long"), new("total", "numeric(12,2)", true, "decimal"),
            new("note", "text", false, "string"), new("placed_at", "timestamptz", true, "global::System.DateTime"),
        ]),
        new("order_lines", "OrderLineRow", "quantity", "comment",
        [
            new("id", "bigint", true, "long"), new("order_id", "bigint", true, "long"), new("product_id", "bigint", true, "long"),
            new("quantity", "integer", true, "int"), new("comment", "text", false, "string"),
        ]),
        new("invoices", "InvoiceRow", "amount", "reference",
        [
            new("id", "bigint", true, "long"), new("order_id", "bigint", true, "long"), new("amount", "numeric(12,2)", true, "decimal"),
            new("reference", "text", false, "string"), new("paid_at", "timestamptz", false, "global::System.DateTime"),
        ]),
    ];

    private const int Shapes = 8;
    private const int MethodsPerClass = 50;

    /// <summary>DROP and CREATE of the five tables.</summary>
    public static string Schema()
    {
        var sql = new StringBuilder();
        foreach (var table in Tables)
        {
            sql.Append(CultureInfo.InvariantCulture, $"DROP TABLE IF EXISTS {table.Name};\nCREATE TABLE {table.Name} (");
            sql.Append(string.Join(", ", table.Columns.Select(c => $"{c.Name} {c.PostgresType}{(c.NotNull ? " NOT NULL" : "")}{(c.Name == "id" ? " PRIMARY KEY" : "")}")));
            sql.Append(");\n");
        }
        return sql.ToString();
    }

    /// <summary>
    /// Writes <c>Rows.cs</c> (one [PgRow] class per table) and <c>Queries/QueriesNNN.cs</c> (the statements, fifty
    /// methods a class) into <paramref name="folder"/>; returns the paths of the files written.
    /// </summary>
    public static IReadOnlyList<string> Write(string folder, int statements)
    {
        Directory.CreateDirectory(Path.Combine(folder, "Queries"));
        var files = new List<string>();
        var rows = Path.Combine(folder, "Rows.cs");
        File.WriteAllText(rows, RowsFile());
        files.Add(rows);
        for (var first = 0; first < statements; first += MethodsPerClass)
        {
            var number = first / MethodsPerClass;
            var path = Path.Combine(folder, "Queries", $"Queries{number:D3}.cs");
            File.WriteAllText(path, QueriesFile(number, first, Math.Min(statements, first + MethodsPerClass)));
            files.Add(path);
        }
        return files;
    }

    private static string RowsFile()
    {
        var code = new StringBuilder("using PgBorrow;\n\nnamespace Synthetic.Queries;\n");
        foreach (var table in Tables)
        {
            code.Append(CultureInfo.InvariantCulture, $"\n[PgRow]\npublic sealed partial class {table.Row}\n{{\n");
            foreach (var column in table.Columns)
                code.Append(CultureInfo.InvariantCulture, $"    public {column.MemberType} {column.Member} {{ get; set; }}{(column.MemberType == "string" ? " = \"\";" : "")}\n");
            code.Append("}\n");
        }
        return code.ToString();
    }

    private static string QueriesFile(int number, int first, int end)
    {
        var code = new StringBuilder("using System.Collections.Generic;\nusing System.Threading;\nusing System.Threading.Tasks;\nusing Npgsql;\nusing PgBorrow;\n\nnamespace Synthetic.Queries;\n\n");
        code.Append(CultureInfo.InvariantCulture, $"public static partial class Queries{number:D3}\n{{\n");
        for (var i = first; i < end; i++)
        {
            var (sql, signature) = Statement(i);
            code.Append(CultureInfo.InvariantCulture, $"    [PgQuery(\"{sql}\")]\n    public static partial {signature};\n\n");
        }
        code.Append("}\n");
        return code.ToString();
    }

    /// <summary>Statement <paramref name="i"/>: its SQL and the method's signature after <c>partial</c>.</summary>
    private static (string Sql, string Signature) Statement(int i)
    {
        var table = Tables[i / Shapes % Tables.Length];
        var filter = string.Create(CultureInfo.InvariantCulture, $"{table.Filter} >= {i}");
        var name = string.Create(CultureInfo.InvariantCulture, $"Q{i:D4}Async");
        const string Connection = "NpgsqlConnection connection";
        const string Token = "CancellationToken cancellationToken";
        return (i % Shapes) switch
        {
            0 => ($"SELECT {table.ColumnList} FROM {table.Name} WHERE {filter} AND id > @after ORDER BY id LIMIT 100",
                $"Task<List<{table.Row}>> {name}({Connection}, long after, {Token})"),
            1 => ($"SELECT {table.ColumnList} FROM {table.Name} WHERE id = @id AND {filter}",
                $"Task<{table.Row}?> {name}({Connection}, long id, {Token})"),
            2 => ($"SELECT {table.ColumnList} FROM {table.Name} WHERE id = @id AND {filter}",
                $"Task<{table.Row}> {name}({Connection}, long id, {Token})"),
            3 => ($"SELECT {table.ColumnList} FROM {table.Name} WHERE {filter} ORDER BY id",
                $"IAsyncEnumerable<{table.Row}> {name}({Connection}, {Token})"),
            4 => ($"SELECT count(*) FROM {table.Name} WHERE {filter} AND id > @after",
                $"Task<long> {name}({Connection}, long after, {Token})"),
            5 => ($"SELECT max(id) FROM {table.Name} WHERE {filter}",
                $"Task<long?> {name}({Connection}, {Token})"),
            6 => ($"UPDATE {table.Name} SET {table.NullableText} = @value WHERE id = @id AND {filter}",
                $"Task<int> {name}({Connection}, long id, string? value, {Token})"),
            _ => ($"SELECT o.id, o.customer_id, o.total, o.note, o.placed_at FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.name = @name AND o.total >= {i} ORDER BY o.id",
                $"Task<List<OrderRow>> {name}({Connection}, string name, {Token})"),
        };
    }
}
