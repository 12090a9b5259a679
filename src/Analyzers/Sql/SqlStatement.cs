using System.Collections.Generic;

namespace PgBorrow.Analyzers.Sql;

/// <summary>The row-level lock a SELECT takes (PostgreSQL manual, "The Locking Clause"), weakest first.</summary>
public enum RowLockStrength
{
    None,
    KeyShare,
    Share,
    NoKeyUpdate,
    Update,
}

/// <summary>A call to one of PostgreSQL's advisory lock functions.</summary>
internal readonly record struct AdvisoryLockCall(string Function, bool SessionLevel, bool Shared, bool Try, bool Unlock);

/// <summary>Session state a statement leaves on the server connection after its transaction ends.</summary>
public enum SessionStateKind
{
    /// <summary>SET without LOCAL (SET name, SET SESSION ..., SET ROLE): the setting stays for the session.</summary>
    SetParameter,

    /// <summary>set_config(name, value, false): a session-wide setting.</summary>
    SetConfig,

    /// <summary>LISTEN channel: the session receives the channel's notifications.</summary>
    Listen,

    /// <summary>PREPARE name AS ... (not PREPARE TRANSACTION): a named statement in the session.</summary>
    Prepare,

    /// <summary>CREATE TEMP TABLE without ON COMMIT DROP: the table lives until the session ends.</summary>
    TempTable,

    /// <summary>DECLARE ... WITH HOLD: a cursor that outlives its transaction.</summary>
    HoldCursor,

    /// <summary>pg_export_snapshot(): a snapshot other sessions can import while the exporting transaction is open.</summary>
    ExportSnapshot,
}

/// <summary>One use of session state, with the word that names it in messages (the setting, channel, table...).</summary>
public readonly record struct SessionStateUse(SessionStateKind Kind, string Detail);

/// <summary>What one SQL statement does, as far as locks, writes and isolation are concerned.</summary>
internal sealed class SqlStatement
{
    /// <summary>The first keyword of the statement (after any WITH clause), upper case; empty when unknown.</summary>
    public string Verb { get; set; } = "";

    /// <summary>INSERT, UPDATE, DELETE or MERGE, in the main statement or in a WITH clause.</summary>
    public bool Writes { get; set; }

    /// <summary>INSERT ... ON CONFLICT ... DO UPDATE.</summary>
    public bool Upserts { get; set; }

    public RowLockStrength RowLock { get; set; }

    public bool NoWait { get; set; }

    public bool SkipLocked { get; set; }

    /// <summary>LOCK [TABLE] name.</summary>
    public bool LocksTable { get; set; }

    public List<AdvisoryLockCall> AdvisoryLocks { get; } = new();

    /// <summary>SET TRANSACTION / BEGIN / START TRANSACTION ISOLATION LEVEL x, upper case ("SERIALIZABLE").</summary>
    public string? IsolationLevel { get; set; }

    /// <summary>UPDATE ... SET assigns a value from a parameter ($n, @name): a value computed by the application.</summary>
    public bool SetUsesParameters { get; set; }

    /// <summary>UPDATE ... SET col = col +/- ...: the new value is computed by the server from the current one.</summary>
    public bool RelativeUpdate { get; set; }

    /// <summary>SET TRANSACTION / BEGIN ... READ ONLY.</summary>
    public bool ReadOnly { get; set; }

    /// <summary>SET TRANSACTION ... DEFERRABLE (a serializable read-only transaction that cannot fail to serialize).</summary>
    public bool Deferrable { get; set; }

    /// <summary>Session state the statement creates beyond advisory locks (those are in <see cref="AdvisoryLocks"/>).</summary>
    public List<SessionStateUse> SessionState { get; } = new();

    /// <summary>Tables read (FROM, JOIN), lower case unless quoted, without schema.</summary>
    public List<string> ReadTables { get; } = new();

    /// <summary>Tables written (UPDATE, INSERT INTO, DELETE FROM, MERGE INTO).</summary>
    public List<string> WrittenTables { get; } = new();

    /// <summary>True when the statement leaves row or table locks held until the transaction ends.</summary>
    public bool TakesTransactionLocks
        => Writes || RowLock != RowLockStrength.None || LocksTable || AdvisoryLocks.Exists(a => !a.SessionLevel && !a.Unlock);
}

/// <summary>A whole command text: its statements and the placeholders it uses.</summary>
internal sealed class SqlText
{
    public List<SqlStatement> Statements { get; } = new();

    /// <summary>The numbers of the positional placeholders ($1, $2...) in order of appearance.</summary>
    public List<int> PositionalParameters { get; } = new();

    /// <summary>The names of the @name placeholders in order of appearance, without '@'.</summary>
    public List<string> NamedParameters { get; } = new();

    /// <summary>The names of Npgsql's legacy :name placeholders, without ':'.</summary>
    public List<string> ColonParameters { get; } = new();

    public bool TakesTransactionLocks => Statements.Exists(s => s.TakesTransactionLocks);

    public bool Writes => Statements.Exists(s => s.Writes);
}
