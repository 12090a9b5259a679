namespace PgBorrow.Analyzers;

/// <summary>Diagnostic IDs, named by what they are about, and where each rule's page lives.</summary>
public static class RuleIdentifiers
{
    public const string TransactionMayBeLeftOpen = "PGB001";
    public const string TransactionNotRolledBackOnException = "PGB002";
    public const string TransactionUsedAfterCompletion = "PGB003";
    public const string NestedTransaction = "PGB004";
    public const string BlockingCallInAsync = "PGB005";
    public const string ConnectionNotDisposed = "PGB006";
    public const string DataReaderLeftOpen = "PGB007";
    public const string BorrowedTransactionEscapes = "PGB008";
    public const string TransactionNeverCommitted = "PGB009";
    public const string OwnedFieldNeverReleased = "PGB010";
    public const string OwnedFieldOverwrittenWhileOpen = "PGB011";
    public const string LocksHeldAcrossAwait = "PGB101";
    public const string TransactionHeldAcrossAwait = "PGB102";
    public const string SessionAdvisoryLockNotReleased = "PGB103";
    public const string ConnectionUsedConcurrently = "PGB104";
    public const string SecondConnectionWhileLocked = "PGB105";
    public const string SerializableWithoutRetry = "PGB106";
    public const string ReadModifyWriteWithoutLock = "PGB107";
    public const string SideEffectInRetriedBody = "PGB108";
    public const string SessionStateUnderTransactionPooling = "PGB109";
    public const string ReaderHeldAcrossAwait = "PGB110";
    public const string LockKeyDiffersBetweenProcesses = "PGB111";
    public const string SqlBuiltFromNonConstantText = "PGB201";
    public const string PlaceholdersDoNotMatchParameters = "PGB202";
    public const string IdentifierFromCaller = "PGB203";
    public const string RowTypeNotPartial = "PGB301";
    public const string RowMemberTypeNotSupported = "PGB302";
    public const string RowHasNoUsableConstructor = "PGB303";
    public const string RowColumnReadTwice = "PGB304";
    public const string RowMemberCannotBeIgnored = "PGB305";
    public const string RowColumnOnIgnoredMember = "PGB306";
    public const string RowTypeCannotBeGenerated = "PGB307";
    public const string RowColumnNameEmpty = "PGB308";
    public const string RowRequiredMemberNotSet = "PGB309";
    public const string QueryMethodCannotBeGenerated = "PGB311";
    public const string QueryPlaceholderUnknown = "PGB312";
    public const string QueryParameterUnused = "PGB313";
    public const string QueryReturnTypeNotSupported = "PGB314";
    public const string QueryParameterTypeNotSupported = "PGB315";
    public const string QuerySqlNotConstant = "PGB316";
    public const string TransactionMethodCannotBeGenerated = "PGB321";
    public const string TransactionMethodSourceMissing = "PGB322";
    public const string TransactionMethodReturnTypeNotSupported = "PGB323";
    public const string TransactionBodyDoesNotMatch = "PGB324";
    public const string TransactionOptionsInvalid = "PGB325";
    public const string QueryNotPrepared = "PGB331";
    public const string QueryColumnsDoNotFitRow = "PGB332";
    public const string QueryScalarDoesNotFit = "PGB333";
    public const string QueryParameterDoesNotFit = "PGB334";

    public const string HelpLinkBase = "https://github.com/pgborrow/pgborrow/blob/main/docs/rules/";

    public static string GetHelpUri(string id) => HelpLinkBase + id + ".md";
}

/// <summary>Diagnostic categories.</summary>
internal static class RuleCategories
{
    public const string Ownership = "Ownership";
    public const string Async = "Async";
    public const string Sql = "Sql";
    public const string Concurrency = "Concurrency";
    public const string Rows = "Rows";
    public const string Transactions = "Transactions";
    public const string Queries = "Queries";
}
