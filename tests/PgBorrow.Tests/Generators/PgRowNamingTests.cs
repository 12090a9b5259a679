extern alias generators;

using Xunit;
// The analyzer assembly compiles its own copy of PgRowNaming (see PgBorrow.Tests.csproj): test the generator's.
using PgRowNaming = generators::PgBorrow.Generators.Rows.PgRowNaming;

namespace PgBorrow.Tests.Generators;

public sealed class PgRowNamingTests
{
    [Theory]
    [InlineData("Id", "id")]
    [InlineData("OrderId", "order_id")]
    [InlineData("orderId", "order_id")]
    [InlineData("HTTPStatus", "http_status")]
    [InlineData("IPAddress", "ip_address")]
    [InlineData("Line2Total", "line2_total")]
    [InlineData("Address2", "address2")]
    [InlineData("already_snake", "already_snake")]
    [InlineData("Snake_Case", "snake_case")]
    [InlineData("X", "x")]
    [InlineData("userID", "user_id")]
    public void Snake_case_splits_words_at_capitals(string member, string column)
        => Assert.Equal(column, PgRowNaming.ToSnakeCase(member));

    [Fact]
    public void As_is_keeps_the_member_name()
        => Assert.Equal("OrderId", PgRowNaming.ToColumnName("OrderId", PgRowNaming.AsIs));

    [Fact]
    public void Naming_values_match_the_runtime_enum()
    {
        Assert.Equal((int)PgNaming.SnakeCase, PgRowNaming.SnakeCase);
        Assert.Equal((int)PgNaming.AsIs, PgRowNaming.AsIs);
    }
}
