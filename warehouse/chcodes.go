package warehouse

// ClickHouse error codes (clickhouse.Exception.Code) that gridgov acts on or its tests
// expect, named as in ClickHouse's src/Common/ErrorCodes.cpp. Codes are stable across
// releases; a few were renamed (201 is QUOTA_EXPIRED on 18.16, QUOTA_EXCEEDED on current
// releases).
const (
	CodeUnexpectedEndOfFile        = 3   // UNEXPECTED_END_OF_FILE
	CodeUnknownTable               = 60  // UNKNOWN_TABLE
	CodeTooManyRows                = 158 // TOO_MANY_ROWS
	CodeTimeoutExceeded            = 159 // TIMEOUT_EXCEEDED
	CodeReadonly                   = 164 // READONLY
	CodeIPAddressNotAllowed        = 195 // IP_ADDRESS_NOT_ALLOWED
	CodeQuotaExpired               = 201 // QUOTA_EXPIRED, QUOTA_EXCEEDED
	CodeTooManySimultaneousQueries = 202 // TOO_MANY_SIMULTANEOUS_QUERIES
	CodeNoFreeConnection           = 203 // NO_FREE_CONNECTION
	CodeSocketTimeout              = 209 // SOCKET_TIMEOUT
	CodeNetworkError               = 210 // NETWORK_ERROR
	CodeAborted                    = 236 // ABORTED
	CodeMemoryLimitExceeded        = 241 // MEMORY_LIMIT_EXCEEDED
	CodeTableIsReadOnly            = 242 // TABLE_IS_READ_ONLY
	CodeTooManyParts               = 252 // TOO_MANY_PARTS
	CodeAllConnectionTriesFailed   = 279 // ALL_CONNECTION_TRIES_FAILED: no replica of a shard answered
	CodeTooFewLiveReplicas         = 285 // TOO_FEW_LIVE_REPLICAS
	CodeDatabaseAccessDenied       = 291 // DATABASE_ACCESS_DENIED
	CodeTooManyBytes               = 307 // TOO_MANY_BYTES
	CodeUnknownStatusOfInsert      = 319 // UNKNOWN_STATUS_OF_INSERT
	CodeQueryWasCancelled          = 394 // QUERY_WAS_CANCELLED
	CodeTooManyRowsOrBytes         = 396 // TOO_MANY_ROWS_OR_BYTES
	CodeSystemError                = 425 // SYSTEM_ERROR
	CodeAccessDenied               = 497 // ACCESS_DENIED
	CodeAuthenticationFailed       = 516 // AUTHENTICATION_FAILED
	CodeKeeperException            = 999 // KEEPER_EXCEPTION
)
