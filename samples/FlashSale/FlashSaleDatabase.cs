using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.FlashSale;

/// <summary>A product on sale: how many there were, how many are left.</summary>
[PgRow]
public partial record Product(int Id, string Name, int Price, int InitialStock, int Stock);

/// <summary>One sale: the buyer was charged <see cref="Price"/> for one unit of the product.</summary>
[PgRow]
public partial record Sale(long Id, int ProductId, int BuyerId, int Price);

/// <summary>The flash-sale schema, created in the first schema of the connection's search_path.</summary>
/// <remarks>
/// <code>
/// products(id int primary key, name text, price int, initial_stock int, stock int CHECK (stock >= 0))
/// sales(id bigint identity primary key, product_id int references products, buyer_id int, price int,
///       UNIQUE (product_id, buyer_id))   -- one unit per buyer and product: nobody is charged twice
/// </code>
/// The CHECK and UNIQUE constraints are the last line of defence: the purchase code never relies on
/// them being violated, but if it had a bug, PostgreSQL would refuse the write instead of overselling.
/// </remarks>
public static class FlashSaleDatabase
{
    public const string CreateTablesSql = """
        DROP TABLE IF EXISTS sales;
        DROP TABLE IF EXISTS products;
        CREATE TABLE products (
            id            int PRIMARY KEY,
            name          text NOT NULL,
            price         int NOT NULL CHECK (price >= 0),
            initial_stock int NOT NULL CHECK (initial_stock >= 0),
            stock         int NOT NULL CHECK (stock >= 0)
        );
        CREATE TABLE sales (
            id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            product_id int NOT NULL REFERENCES products (id),
            buyer_id   int NOT NULL,
            price      int NOT NULL,
            UNIQUE (product_id, buyer_id)
        );
        """;

    /// <summary>(Re)creates the tables, empty.</summary>
    public static async Task CreateTablesAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(CreateTablesSql, cancellationToken);
    }

    /// <summary>Empties both tables and puts one product on sale.</summary>
    public static async Task ResetAsync(NpgsqlDataSource dataSource, int productId, string name, int price, int stock, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync("TRUNCATE sales, products RESTART IDENTITY", cancellationToken);
        await AddProductAsync(connection, productId, name, price, stock, cancellationToken);
    }

    /// <summary>Puts another product on sale.</summary>
    public static Task<int> AddProductAsync(NpgsqlConnection connection, int productId, string name, int price, int stock, CancellationToken cancellationToken)
        => connection.ExecuteAsync(
            $"INSERT INTO products (id, name, price, initial_stock, stock) VALUES ({productId}, {name}, {price}, {stock}, {stock})",
            cancellationToken);
}
