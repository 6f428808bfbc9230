/** The components' tests: jest-dom's matchers (toBeDisabled, toHaveTextContent), and a clean page after each. */
import '@testing-library/jest-dom';
