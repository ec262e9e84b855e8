// Users and roles: accounts (scrypt passwords), sessions (hashed tokens), and the pure scope rules.
export * from './alert-permissions.ts';
export * from './scope.ts';
export * from './sessions.ts';
export {
  checkPassword,
  createUser,
  DEMO_USERS,
  DemoModeRequiredError,
  ensureDemoUsers,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  USER_ERROR_CODES,
  USERNAME_PATTERN,
  userView,
  type CreateUserResult,
  type DemoUserOutcome,
  type NewUserRequest,
  type UserErrorCode,
  type UserView,
} from './users.ts';
