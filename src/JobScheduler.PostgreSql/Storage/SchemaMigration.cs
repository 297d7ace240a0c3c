namespace JobScheduler.PostgreSql.Storage;

/// <summary>One forward step of the schema. <see cref="Sql"/> receives the quoted schema name and returns DDL only.</summary>
internal sealed record SchemaMigration(int Version, string Description, Func<string, string> Sql);
