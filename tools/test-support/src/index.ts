export { readmeAndTestedUsage, readmeUsageLines, testedUsageLines } from "./readme-usage.js";
