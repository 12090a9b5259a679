using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.IntegrationTests.Rows;

/// <summary>The tables the Rows tests use, created in the fixture's database.</summary>
internal static class RowsDatabase
{
    public const string TypesTable = "row_types";

    public static async Task CreateTablesAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await dataSource.ExecuteAsync($"""
            CREATE TABLE IF NOT EXISTS row_types (
                id integer PRIMARY KEY,
                bool_value boolean,
                byte_value smallint,
                s_byte_value smallint,
                short_value smallint,
                int_value integer,
                long_value bigint,
                float_value real,
                double_value double precision,
                decimal_value numeric,
                text_value text,
                char_value character(1),
                guid_value uuid,
                bytes_value bytea,
                utc_timestamp timestamp with time zone,
                local_timestamp timestamp without time zone,
                offset_value timestamp with time zone,
                date_value date,
                time_value time,
                interval_value interval,
                color_value integer,
                size_value smallint,
                int_array integer[],
                text_array text[],
                long_list bigint[],
                guid_array uuid[],
                date_array date[],
                color_array integer[],
                size_list smallint[],
                nullable_int_array integer[],
                nullable_text_array text[]
            );
            CREATE TABLE IF NOT EXISTS items (id integer PRIMARY KEY, name text, note_text text);
            DO $$ BEGIN
                CREATE TYPE mood AS ENUM ('sad', 'ok', 'very_happy', 'meh!');
            EXCEPTION WHEN duplicate_object THEN NULL;
            END $$;
            CREATE TABLE IF NOT EXISTS pg_types (
                id integer PRIMARY KEY,
                mood mood NOT NULL,
                optional_mood mood,
                size jsonb NOT NULL,
                variants json,
                counters jsonb,
                raw jsonb,
                origin inet,
                quantities int4range NOT NULL,
                "window" tstzrange
            );
            """, cancellationToken);
    }
}
