// Dommel Get.cs:25 / DommelMapper.BuildGetById: 'where {keyColumnName} = {sqlBuilder.PrefixParameter("Id")}' is
// assembled in an internal method and run by Dapper in another; the dialect's PrefixParameter writes "@Id" (or
// ":Id"), a placeholder whose value is added to DynamicParameters beside it. PGB201 read the method result as a
// value after '=' once it followed the text into the method that assembles it.
using System;
using System.Data;
using Dapper;

public interface ISqlDialect
{
    string PrefixParameter(string name);
    string QuoteIdentifier(string name);
}

public static class PlaceholderFromDialectMethod
{
    public static T? Get<T>(IDbConnection connection, ISqlDialect dialect, object id) where T : class
    {
        var sql = BuildGetById(dialect, typeof(T), id, out var parameters);
        return connection.QueryFirstOrDefault<T>(sql, parameters);
    }

    internal static string BuildGetById(ISqlDialect dialect, Type type, object id, out DynamicParameters parameters)
    {
        var tableName = dialect.QuoteIdentifier(type.Name);
        var keyColumnName = dialect.QuoteIdentifier("Id");
        parameters = new DynamicParameters();
        parameters.Add("Id", id);
        return $"select * from {tableName} where {keyColumnName} = {dialect.PrefixParameter("Id")}";
    }
}
