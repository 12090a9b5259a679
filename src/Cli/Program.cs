using System;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using PgBorrow.Cli.Commands;

namespace PgBorrow.Cli;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] != "prepare")
        {
            await Console.Error.WriteLineAsync(PrepareCommand.Usage);
            return 2;
        }
        try
        {
            return await PrepareCommand.RunAsync(args.Skip(1).ToList(), Console.Out);
        }
        catch (NpgsqlException error)
        {
            // A database that cannot be reached is the user's setup, not a bug: one line, no stack trace.
            await Console.Error.WriteLineAsync($"pgborrow prepare: cannot use the database: {error.Message}");
            return 1;
        }
    }
}
