using System.Net.Sockets;
using Npgsql;

namespace JobScheduler.PostgreSql.Storage;

/// <summary>
/// Runs idempotent work on a pooled connection. A connection that sat in the pool while the server restarted is dead
/// but looks healthy until used; when the work fails that way (the connection opened, then the socket failed), the
/// pool's idle connections are cleared and the work runs once more on a fresh connection. A server that is really down
/// fails at open and is not retried here: the scheduler's write buffer retries with backoff.
/// </summary>
internal static class PooledConnection
{
    public static async Task<T> RunAsync<T>(NpgsqlDataSource dataSource, Func<NpgsqlConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                try
                {
                    return await work(connection, cancellationToken).ConfigureAwait(false);
                }
                catch (NpgsqlException ex) when (attempt == 1 && IsDeadConnection(ex) && !cancellationToken.IsCancellationRequested)
                {
                    dataSource.Clear();
                }
            }
        }
    }

    private static bool IsDeadConnection(NpgsqlException exception)
        => exception is not PostgresException && exception.InnerException is IOException or SocketException;
}
