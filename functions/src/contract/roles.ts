/** The roles a user can hold. Carried in the `role` custom claim of the ID token. */
export const ROLES = ["customer", "staff", "courier", "admin"] as const;
export type Role = (typeof ROLES)[number];
