namespace PgBorrow.Generators;

/// <summary>
/// Home of the incremental generators ([PgRow], [PgQuery], [PgTransaction]). They land with the
/// typed-rows and transaction-scope issues; the assembly ships in the package from the start so the
/// package layout does not change when they arrive.
/// </summary>
internal static class GeneratorsAssembly
{
    public const string Name = "PgBorrow.Generators";
}
