/** The app's GraphQL API (`api-graphql`), loaded on first access. */
import { exportLazily } from "../shared/lazy-exports";

exportLazily(exports, {
  graphql: () => require("./api.function").graphql,
});
