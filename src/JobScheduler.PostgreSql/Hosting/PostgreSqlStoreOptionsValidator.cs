using Microsoft.Extensions.Options;

namespace JobScheduler.PostgreSql.Hosting;

/// <summary>Validates the data annotations of <see cref="PostgreSqlStoreOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class PostgreSqlStoreOptionsValidator : IValidateOptions<PostgreSqlStoreOptions>
{
}
