// yessql DefaultQuery.cs:1457 / GetDeduplicatedQuery: '... ON {sqlBuilder.FormatColumn("IndexQuery", "Id", schema)}
// = {sqlBuilder.FormatColumn(documentTable, "Id", schema)}' joins two columns; the right-hand side of '=' is a
// column the dialect formats and quotes, not a value. PGB201 read it as a value after '=' once it followed the
// text into the private method that assembles it.
using System.Data;
using Dapper;

public interface ISqlBuilder
{
    string FormatColumn(string table, string column, string schema);
    string FormatTable(string table, string schema);
    string ToSqlString();
}

public sealed class ColumnFromDialectInJoinCondition
{
    readonly ISqlBuilder _builder;
    readonly string _documentTable;
    readonly string _schema;

    public ColumnFromDialectInJoinCondition(ISqlBuilder builder, string documentTable, string schema)
    {
        _builder = builder;
        _documentTable = documentTable;
        _schema = schema;
    }

    public int Count(IDbConnection connection)
    {
        var sql = GetDeduplicatedQuery();
        return connection.ExecuteScalar<int>(sql);
    }

    string GetDeduplicatedQuery()
    {
        var sql = _builder.ToSqlString();
        sql = $"SELECT count(*) FROM {_builder.FormatTable(_documentTable, _schema)} " +
              $"INNER JOIN ({sql}) AS q ON {_builder.FormatColumn("q", "Id", _schema)} = {_builder.FormatColumn(_documentTable, "Id", _schema)}";
        return sql;
    }
}
