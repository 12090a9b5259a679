using System.Text;
using PgBorrow.Cli.Describe;
using PgBorrow.Cli.Metadata;
using Xunit;

namespace PgBorrow.Tests.Prepare;

/// <summary>The committed .pgborrow/&lt;hash&gt;.json files: byte-stable, and changed by any change that matters.</summary>
public sealed class StatementFileTests
{
    private const string Sql = "SELECT id, note FROM orders WHERE total >= $1";

    private static StatementDescription Describe(bool noteNullable = true, string noteType = "text") => new(
        Sql,
        ["numeric"],
        [
            new DescribedColumn("id", "bigint", 16384, "orders", 1, false),
            new DescribedColumn("note", noteType, 16384, "orders", 4, noteNullable),
        ],
        null);

    [Fact]
    public void The_same_description_gives_byte_identical_files()
    {
        Assert.Equal(StatementFile.Write(Describe()), StatementFile.Write(Describe()));
    }

    [Fact]
    public void The_file_has_a_fixed_key_order_lf_line_ends_and_a_trailing_newline()
    {
        var text = Encoding.UTF8.GetString(StatementFile.Write(Describe()));

        Assert.Equal("""
            {
              "sql": "SELECT id, note FROM orders WHERE total >= $1",
              "parameters": [
                "numeric"
              ],
              "columns": [
                {
                  "name": "id",
                  "type": "bigint",
                  "table": "orders",
                  "attribute": 1,
                  "nullable": false
                },
                {
                  "name": "note",
                  "type": "text",
                  "table": "orders",
                  "attribute": 4,
                  "nullable": true
                }
              ]
            }

            """.Replace("\r\n", "\n"), text);
        Assert.DoesNotContain("\r", text);
        Assert.DoesNotContain("16384", text); // the table OID differs between databases and stays out
    }

    [Fact]
    public void A_changed_column_changes_the_file_but_not_its_name()
    {
        var original = StatementFile.Write(Describe());

        Assert.NotEqual(original, StatementFile.Write(Describe(noteNullable: false)));
        Assert.NotEqual(original, StatementFile.Write(Describe(noteType: "varchar")));
        Assert.Equal(StatementFile.FileName(Sql), StatementFile.FileName(Describe(noteNullable: false).Sql));
    }

    [Fact]
    public void The_name_ignores_line_endings_and_outer_whitespace_only()
    {
        var name = StatementFile.FileName("SELECT 1\nFROM t");

        Assert.Equal(name, StatementFile.FileName("  SELECT 1\r\nFROM t\n"));
        Assert.NotEqual(name, StatementFile.FileName("SELECT 1\n FROM t"));
        Assert.NotEqual(name, StatementFile.FileName("select 1\nFROM t"));
        Assert.Matches("^[0-9a-f]{64}\\.json$", name);
    }
}
